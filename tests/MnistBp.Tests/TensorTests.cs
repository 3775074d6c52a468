namespace MnistBp.Tests;

public class TensorTests
{
    [Test]
    public void Rank2_is_row_major_and_rows_are_views()
    {
        var t = Tensor.FromValues(2, 3, [1, 2, 3, 4, 5, 6], "W1");
        Assert.That(t[1, 0], Is.EqualTo(4f));
        t.Row(1)[2] = 60f;
        Assert.That(t[5], Is.EqualTo(60f));
        Assert.That(t.Describe(), Is.EqualTo("W1 [2 x 3]"));
    }

    // ---- constructors ----

    [Test]
    public void Rank2_constructor_makes_a_zero_filled_matrix()
    {
        var t = new Tensor(2, 3, "W1");

        Assert.That(t.Rank, Is.EqualTo(2));
        Assert.That(t.Rows, Is.EqualTo(2));
        Assert.That(t.Columns, Is.EqualTo(3));
        Assert.That(t.Length, Is.EqualTo(6));
        Assert.That(t.Name, Is.EqualTo("W1"));
        Assert.That(t.Shape, Is.EqualTo("[2 x 3]"));
        Assert.That(t.ToArray(), Is.All.Zero);
    }

    [Test]
    public void Rank1_constructor_makes_a_single_row()
    {
        var t = new Tensor(5, "b1");

        Assert.That(t.Rank, Is.EqualTo(1));
        Assert.That(t.Rows, Is.EqualTo(1));
        Assert.That(t.Columns, Is.EqualTo(5));
        Assert.That(t.Length, Is.EqualTo(5));
        Assert.That(t.Shape, Is.EqualTo("[5]"));
        Assert.That(t.ToArray(), Is.All.Zero);
    }

    [Test]
    public void Rank1_tensor_is_row_zero_of_itself()
    {
        var t = Tensor.FromValues([1, 2, 3], "b1");

        Assert.That(t[0, 2], Is.EqualTo(3f));
        Assert.That(t.Row(0).ToArray(), Is.EqualTo(new float[] { 1, 2, 3 }));
        t.Row(0)[1] = 20f;
        Assert.That(t[1], Is.EqualTo(20f));
        Assert.That(() => t.Row(1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("b1 [3]"));
    }

    [Test]
    public void Rank1_and_rank2_of_one_row_are_different_shapes()
    {
        var vector = new Tensor(3);
        var matrix = new Tensor(1, 3);

        Assert.That(vector.HasSameShape(matrix), Is.False);
        Assert.That(matrix.HasSameShape(new Tensor(1, 3)), Is.True);
        Assert.That(matrix.HasSameShape(null!), Is.False);
    }

    [Test]
    public void Name_defaults_to_empty()
    {
        Assert.That(new Tensor(3).Name, Is.Empty);
        Assert.That(new Tensor(2, 2).Name, Is.Empty);
        Assert.That(new Tensor(2, 2, null).Describe(), Is.EqualTo("[2 x 2]"));
    }

    [TestCase(0, 0)]
    [TestCase(0, 5)]
    [TestCase(4, 0)]
    public void Empty_shapes_are_allowed(int rows, int columns)
    {
        var t = new Tensor(rows, columns);

        Assert.That(t.Length, Is.Zero);
        Assert.That(t.AsSpan().Length, Is.Zero);
        Assert.That(t.Shape, Is.EqualTo($"[{rows} x {columns}]"));
        Assert.That(new Tensor(0).Shape, Is.EqualTo("[0]"));
    }

    [Test]
    public void Negative_sizes_throw()
    {
        Assert.That(() => new Tensor(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Tensor(-1, 3), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Tensor(3, -1), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Too_many_elements_throw_naming_the_shape()
    {
        Assert.That(() => new Tensor(100_000, 100_000), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("[100000 x 100000]").And.Message.Contains("10000000000"));
    }

    // ---- FromValues ----

    [Test]
    public void FromValues_copies_the_values()
    {
        float[] values = [1, 2, 3, 4];
        var matrix = Tensor.FromValues(2, 2, values);
        var vector = Tensor.FromValues(values);
        values[0] = 100f;

        Assert.That(matrix.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(vector.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Assert.That(vector.Rank, Is.EqualTo(1));
        Assert.That(vector.Shape, Is.EqualTo("[4]"));
    }

    [TestCase(5)]
    [TestCase(7)]
    [TestCase(0)]
    public void FromValues_with_the_wrong_count_throws_naming_shape_and_counts(int count)
    {
        Assert.That(() => Tensor.FromValues(2, 3, new float[count], "W1"), Throws.ArgumentException
            .With.Message.StartsWith($"W1 [2 x 3] needs 6 values, got {count}.")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo("values"));
    }

    // ---- indexers ----

    [TestCase(-1)]
    [TestCase(6)]
    [TestCase(int.MaxValue)]
    [TestCase(int.MinValue)]
    public void Flat_index_out_of_range_throws_naming_the_shape(int index)
    {
        var t = new Tensor(2, 3, "W1");

        Assert.That(() => t[index], Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"Index {index} is outside W1 [2 x 3]."));
        Assert.That(() => t[index] = 1f, Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("W1 [2 x 3]"));
    }

    [TestCase(-1, 0)]
    [TestCase(2, 0)]
    [TestCase(0, -1)]
    [TestCase(0, 3)]
    [TestCase(1, 3)]
    [TestCase(0, 4)]
    public void Row_column_index_out_of_range_throws_naming_the_shape(int row, int column)
    {
        var t = new Tensor(2, 3, "W1");

        Assert.That(() => t[row, column], Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"[{row}, {column}] is outside W1 [2 x 3]."));
        Assert.That(() => t[row, column] = 1f, Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("W1 [2 x 3]"));
    }

    [Test]
    public void Column_past_the_end_does_not_wrap_into_the_next_row()
    {
        var t = Tensor.FromValues(2, 3, [1, 2, 3, 4, 5, 6]);

        // [0, 3] would be flat index 3, the first element of row 1: it must throw instead.
        Assert.That(() => t[0, 3], Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(-1)]
    [TestCase(2)]
    public void Row_out_of_range_throws_naming_the_shape(int row)
    {
        var t = new Tensor(2, 3, "W1");

        Assert.That(() => t.Row(row), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"Row {row} is outside W1 [2 x 3]."));
    }

    [Test]
    public void Indexers_write_through_to_the_span()
    {
        var t = new Tensor(2, 3);
        t[1, 2] = 7f;
        t[1] = 3f;

        Assert.That(t.AsSpan().ToArray(), Is.EqualTo(new float[] { 0, 3, 0, 0, 0, 7 }));
        t.AsSpan()[0] = -1f;
        Assert.That(t[0, 0], Is.EqualTo(-1f));
    }

    // ---- whole-tensor operations ----

    [Test]
    public void ToArray_is_a_copy()
    {
        var t = Tensor.FromValues(1, 2, [1, 2]);
        float[] copy = t.ToArray();
        copy[0] = 10f;

        Assert.That(t[0], Is.EqualTo(1f));
    }

    [Test]
    public void Fill_and_Clear_set_every_element()
    {
        var t = new Tensor(3, 4);
        t.Fill(2.5f);
        Assert.That(t.ToArray(), Is.All.EqualTo(2.5f));

        t.Clear();
        Assert.That(t.ToArray(), Is.All.Zero);
    }

    [Test]
    public void CopyFrom_copies_values_of_the_same_shape()
    {
        var source = Tensor.FromValues(2, 2, [1, 2, 3, 4]);
        var destination = new Tensor(2, 2);

        destination.CopyFrom(source);
        source[0] = 100f;

        Assert.That(destination.ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void CopyFrom_with_another_shape_throws_naming_both_shapes()
    {
        var destination = new Tensor(2, 3, "W1");

        Assert.That(() => destination.CopyFrom(new Tensor(3, 2, "W2")), Throws.ArgumentException
            .With.Message.Contains("W2 [3 x 2]").And.Message.Contains("W1 [2 x 3]"));
        // Same element count, different rank: still a different shape.
        Assert.That(() => destination.CopyFrom(new Tensor(6, "flat")), Throws.ArgumentException
            .With.Message.Contains("flat [6]").And.Message.Contains("W1 [2 x 3]"));
        Assert.That(() => destination.CopyFrom(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void RequireSameShape_names_the_context_and_both_shapes()
    {
        Assert.That(() => Tensor.RequireSameShape(new Tensor(4, 1, "dZ"), new Tensor(4, 2, "Z"), "Dense 'out' Backward: dOutput", "dOutput"),
            Throws.ArgumentException.With.Message.EqualTo("Dense 'out' Backward: dOutput: dZ [4 x 1] does not have the shape of Z [4 x 2]. (Parameter 'dOutput')")
            .And.Property("ParamName").EqualTo("dOutput"));
        Assert.That(() => Tensor.RequireSameShape(new Tensor(4, 2), new Tensor(4, 2), "ok", "x"), Throws.Nothing);
    }

    [Test]
    public void The_2D_indexer_blames_the_index_that_is_out_of_range()
    {
        var tensor = new Tensor(2, 4, "W");
        Assert.That(() => tensor[0, 9], Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("column"));
        Assert.That(() => tensor[5, 0], Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("row"));
        Assert.That(() => tensor[5, 9] = 1f, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("row"));
    }

    // ---- text ----

    [Test]
    public void Describe_is_name_and_shape()
    {
        Assert.That(new Tensor(784, 30, "W1").Describe(), Is.EqualTo("W1 [784 x 30]"));
        Assert.That(new Tensor(30, "b1").Describe(), Is.EqualTo("b1 [30]"));
        Assert.That(new Tensor(30).Describe(), Is.EqualTo("[30]"));
    }

    [Test]
    public void ToString_shows_shape_and_values()
    {
        var t = Tensor.FromValues(2, 3, [1, 2, 3, 4, 5, 6], "W1");

        Assert.That(t.ToString(), Does.StartWith("W1 [2 x 3] [[1, 2, 3]"));
        Assert.That(t.ToString(), Is.EqualTo("W1 [2 x 3] [[1, 2, 3], [4, 5, 6]]"));
        Assert.That(Tensor.FromValues([0.5f, -1.25f, 3e-7f], "b1").ToString(), Is.EqualTo("b1 [3] [0.5, -1.25, 3E-07]"));
    }

    [Test]
    public void ToString_shortens_large_tensors()
    {
        var t = new Tensor(784, 30, "W1");
        t[0, 0] = 0.1f;

        Assert.That(t.ToString(), Is.EqualTo("W1 [784 x 30] [[0.1, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...], [0, 0, 0, 0, 0, 0, ...], ...]"));
        Assert.That(new Tensor(10, "b").ToString(), Is.EqualTo("b [10] [0, 0, 0, 0, 0, 0, ...]"));
    }

    [Test]
    public void ToString_of_empty_tensors()
    {
        Assert.That(new Tensor(0).ToString(), Is.EqualTo("[0] []"));
        Assert.That(new Tensor(0, 3).ToString(), Is.EqualTo("[0 x 3] []"));
        Assert.That(new Tensor(2, 0).ToString(), Is.EqualTo("[2 x 0] [[], []]"));
    }
}
