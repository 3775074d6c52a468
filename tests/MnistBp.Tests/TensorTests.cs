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
}
