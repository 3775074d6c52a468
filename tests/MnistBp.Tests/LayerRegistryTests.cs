// Layer kinds of one's own in model files: one Register call makes a kind loadable, its settings and
// parameters come back bit for bit; an unknown kind on load and an unregistered kind on save are
// refused with the call to make; the registry refuses a second factory for a taken name; settings
// that are missing or of another type are named in the error. Scale and ExampleKinds below are the
// example docs/model-format.md shows.
using System.Globalization;

namespace MnistBp.Tests;

public class LayerRegistryTests
{
    private TempFolder _folder = null!;

    [OneTimeSetUp]
    public void RegisterTheExampleKinds() => ExampleKinds.Register();

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private static Tensor RandomInputs(int rows, int columns, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var inputs = new Tensor(rows, columns);
        Span<float> values = inputs.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return inputs;
    }

    private static int[] Bits(Tensor tensor) => [.. tensor.ToArray().Select(BitConverter.SingleToInt32Bits)];

    [Test]
    public void Built_in_kinds_are_known_without_any_call()
    {
        Assert.That(LayerRegistry.IsRegistered(new Dense(1, 1).Kind), Is.True);
        Assert.That(LayerRegistry.IsRegistered(new Sigmoid().Kind), Is.True);
        Assert.That(new Dense(1, 1).Kind, Is.EqualTo("Dense"));
        Assert.That(new Sigmoid().Kind, Is.EqualTo("Sigmoid"));
        Assert.That(LayerRegistry.Registered, Does.Contain("Dense").And.Contain("Sigmoid"));
        Assert.That(LayerRegistry.IsRegistered("dense"), Is.False, "kinds are case-sensitive");
    }

    [Test]
    public void A_kind_of_ones_own_saves_and_loads_bit_identically_after_one_Register_call()
    {
        var random = new DeterministicRandom(11);
        var scale = new Scale(5, factor: 0.75f, "gain");
        for (int i = 0; i < 5; i++)
        {
            scale.Gain.Value[i] = (float)random.NextDouble();
        }

        var model = new Sequential(new Dense(4, 5, WeightInit.StandardNormal, random, "hidden"), scale, new Negate("flip"), new Sigmoid("out"));
        string path = _folder.File("custom.mnbp");
        ModelFile.Save(model, path);
        Sequential loaded = ModelFile.Load(path);

        Assert.That(loaded.Layers.Select(l => l.GetType()), Is.EqualTo(model.Layers.Select(l => l.GetType())));
        Assert.That(loaded.Layers.Select(l => l.Name), Is.EqualTo(new[] { "hidden", "gain", "flip", "out" }));
        var loadedScale = (Scale)loaded.Layers[1];
        Assert.That(BitConverter.SingleToInt32Bits(loadedScale.Factor), Is.EqualTo(BitConverter.SingleToInt32Bits(0.75f)));
        Assert.That(Bits(loadedScale.Gain.Value), Is.EqualTo(Bits(scale.Gain.Value)));
        Tensor inputs = RandomInputs(7, 4, 3);
        Assert.That(Bits(loaded.Predict(inputs)), Is.EqualTo(Bits(model.Predict(inputs))));
    }

    [Test]
    public void Settings_of_every_type_come_back_bit_for_bit()
    {
        float nan = BitConverter.Int32BitsToSingle(0x7FC0_1234); // a NaN with a payload
        var layer = new Labelled("tag", steps: -3, gain: nan, label: "é\t\"x\"", enabled: true);
        using var stream = new MemoryStream();
        ModelFile.Save(new Sequential(layer, new Labelled("zero", 0, -0f, "", false)), stream);
        Sequential loaded = ModelFile.Load(new MemoryStream(stream.ToArray()), "labels.mnbp");

        var first = (Labelled)loaded.Layers[0];
        var second = (Labelled)loaded.Layers[1];
        Assert.That((first.Steps, BitConverter.SingleToInt32Bits(first.Gain), first.Label, first.Enabled), Is.EqualTo((-3, 0x7FC0_1234, "é\t\"x\"", true)));
        Assert.That((second.Steps, BitConverter.SingleToInt32Bits(second.Gain), second.Label, second.Enabled), Is.EqualTo((0, BitConverter.SingleToInt32Bits(-0f), "", false)));
    }

    [Test]
    public void A_layer_claiming_a_kind_registered_for_another_type_is_not_saved()
    {
        // Its Kind says "Relu": the file would load it back as the library's Relu, silently another layer.
        var model = new Sequential(new Dense(3, 2, WeightInit.StandardNormal, new DeterministicRandom(1), "d"), new ClaimsRelu("mine"));
        using var stream = new MemoryStream();
        var error = Assert.Throws<NotSupportedException>(() => ModelFile.Save(model, stream));
        Assert.That(error!.Message, Is.EqualTo(
            "Cannot save layer 1 (ClaimsRelu 'mine'): its kind 'Relu' is registered for MnistBp.Relu, so the file would load it back as a Relu, " +
            "not as the MnistBp.Tests.ClaimsRelu it is. Give ClaimsRelu a Kind of its own (override Kind with a fixed name such as \"MyApp.ClaimsRelu\") " +
            "and register it: LayerRegistry.Register(\"MyApp.ClaimsRelu\", record => new ClaimsRelu(record.Name))."));
        Assert.That(stream.Length, Is.Zero, "nothing written");

        // A kind registered with a factory that declares only Layer cannot be checked, and saves as before (Negate: see the parallel test).
        LayerRegistry.Register("Tests.AnyLayer", (Func<LayerRecord, Layer>)Negate.Create);
        // A factory whose branches make different types compiles against the non-generic overload.
        LayerRegistry.Register("Tests.Either", record => record.Name.Length > 0 ? new Negate(record.Name) : new ClaimsKind("Tests.Either", record.Name));
        Assert.DoesNotThrow(() => ModelFile.Save(new Sequential(new ClaimsKind("Tests.AnyLayer", "any")), new MemoryStream()));
        // A layer of the registered type, or derived from it, saves.
        LayerRegistry.Register("Tests.ClaimsKind", ClaimsKind.Create);
        Assert.DoesNotThrow(() => ModelFile.Save(new Sequential(new ClaimsKind("Tests.ClaimsKind", "own")), new MemoryStream()));
        Assert.That(() => ModelFile.Save(new Sequential(new ClaimsKind("Tests.Scale", "not a scale")), new MemoryStream()),
            Throws.TypeOf<NotSupportedException>().With.Message.Contains("registered for MnistBp.Tests.Scale"));
    }

    [Test]
    public void Registering_the_same_factory_again_does_nothing()
    {
        Assert.DoesNotThrow(ExampleKinds.Register);
        Assert.DoesNotThrow(() => LayerRegistry.Register(Scale.KindName, Scale.Create));
        Assert.That(LayerRegistry.IsRegistered(Scale.KindName), Is.True);
    }

    [Test]
    public void A_second_factory_for_a_taken_kind_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => LayerRegistry.Register(Scale.KindName, record => new Negate(record.Name)));
        Assert.That(error!.Message, Does.Contain("'Tests.Scale' is already registered with another factory").And.Contain("MyApp.Tests.Scale"));
        Assert.That(error.ParamName, Is.EqualTo("kind"));

        Assert.Throws<ArgumentException>(() => LayerRegistry.Register("Dense", record => new Dense(1, 1, record.Name)), "built-in kinds are taken too");
        Tensor inputs = RandomInputs(2, 3, 1);
        var model = new Sequential(new Dense(3, 2, WeightInit.StandardNormal, new DeterministicRandom(1), "d"));
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        Assert.That(Bits(ModelFile.Load(new MemoryStream(stream.ToArray()), "m").Predict(inputs)), Is.EqualTo(Bits(model.Predict(inputs))), "the first factory stays");
    }

    [TestCase("", "is 0 UTF-8 bytes long")]
    [TestCase(" Padded", "starts or ends with white space")]
    [TestCase("Two\nLines", "holds control characters")]
    [TestCase("Lone", "lone surrogate")] // the surrogate is added below: attribute strings are stored as UTF-8 and cannot hold one
    public void Register_refuses_a_kind_that_cannot_name_a_kind_in_a_file(string kind, string problem)
    {
        kind = kind == "Lone" ? "Lone\ud800" : kind;
        var error = Assert.Throws<ArgumentException>(() => LayerRegistry.Register(kind, record => new Negate(record.Name)));
        Assert.That(error!.Message, Does.Contain(problem).And.Not.Contain("\n"));
        Assert.That(LayerRegistry.IsRegistered(kind), Is.False);
    }

    [Test]
    public void Register_refuses_a_kind_longer_than_256_bytes()
    {
        Assert.DoesNotThrow(() => LayerRegistry.Register("Tests." + new string('k', 250), Negate.Create));
        Assert.That(() => LayerRegistry.Register("Tests." + new string('k', 251), Negate.Create),
            Throws.ArgumentException.With.Message.Contains("is 257 UTF-8 bytes long; a kind is 1 to 256"));
    }

    [Test]
    public void Registering_from_many_threads_at_once_keeps_every_kind_and_one_factory_each()
    {
        int refused = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            string kind = string.Create(CultureInfo.InvariantCulture, $"Tests.Parallel{i % 40}");
            Func<LayerRecord, Layer> factory = i / 40 % 2 == 0 ? Negate.Create : Labelled.Create; // two factories race for each name
            try
            {
                LayerRegistry.Register(kind, factory);
            }
            catch (ArgumentException)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.That(Enumerable.Range(0, 40).All(i => LayerRegistry.IsRegistered($"Tests.Parallel{i}")), Is.True);
        Assert.That(refused, Is.EqualTo(200), "each name has exactly one factory: every call with the other one is refused");
    }

    [Test]
    public void An_unknown_kind_on_load_names_the_file_the_offset_the_layer_the_kind_and_the_call_to_make()
    {
        var file = new ModelBytes(layerCount: 2).Layer("Sigmoid", "first").Count(0).Count(0);
        int offset = file.Position;
        byte[] bytes = file.Layer("MyApp.Relu", "relu").Count(0).Count(0).ToArray();
        string path = _folder.Write("relu.mnbp", bytes);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.That(error!.Message, Does.StartWith($"{path}: not a valid MnistBp model at byte {offset}: layer 1 (MyApp.Relu 'relu') has the kind 'MyApp.Relu', which this program has not registered"));
        Assert.That(error.Message, Does.Contain("LayerRegistry.Register(\"MyApp.Relu\", record => new Relu(record.Name))").And.Contain("never from type names"));
    }

    [Test]
    public void An_unregistered_kind_is_refused_on_save_before_the_file_is_touched()
    {
        string path = _folder.File("model.mnbp");
        File.WriteAllText(path, "keep me");
        var model = new Sequential(new Dense(2, 2), new Unregistered("mine"));

        var error = Assert.Throws<NotSupportedException>(() => ModelFile.Save(model, path));
        Assert.That(error!.Message, Does.StartWith("Cannot save layer 1 (Unregistered 'mine'): its kind 'Tests.Unregistered' is not registered"));
        Assert.That(error.Message, Does.Contain("LayerRegistry.Register(\"Tests.Unregistered\", record => new Unregistered(record.Name));"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("keep me"));
        Assert.That(Directory.GetFiles(_folder.Path), Has.Length.EqualTo(1), "no temporary file either");

        using var stream = new MemoryStream();
        Assert.Throws<NotSupportedException>(() => ModelFile.Save(model, stream));
        Assert.That(stream.Length, Is.Zero, "the stream overload writes nothing either");
    }

    [Test]
    public void A_missing_setting_names_the_file_the_layer_and_the_setting()
    {
        byte[] bytes = new ModelBytes(layerCount: 1).Layer(Scale.KindName, "gain").Count(1).Setting("slope", 2f).Count(1).Vector(1, 2).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "scale.mnbp"));
        Assert.That(error!.Message, Is.EqualTo(
            "scale.mnbp: not a valid MnistBp model at byte 12: layer 0 (Tests.Scale 'gain'): the factory registered for 'Tests.Scale' failed: " +
            "the float32 setting 'factor' is missing; the layer has slope = 2 (float32)."));
        Assert.That(error.InnerException, Is.TypeOf<InvalidDataException>());
    }

    [Test]
    public void A_setting_of_another_type_names_what_was_found()
    {
        byte[] bytes = new ModelBytes(layerCount: 1).Layer(Scale.KindName, "gain").Count(1).Setting("factor", 3).Count(1).Vector(1, 2).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(bytes), "scale.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo(
            "scale.mnbp: not a valid MnistBp model at byte 12: layer 0 (Tests.Scale 'gain'): the factory registered for 'Tests.Scale' failed: " +
            "the setting 'factor' should be float32 but is factor = 3 (int32)."));
    }

    [Test]
    public void A_parameter_whose_shape_differs_from_the_layer_the_factory_made_is_refused()
    {
        // Dense's factory takes W [2 x 3] from the file, so b must be [3]; the file holds [2].
        var bytes = new ModelBytes(layerCount: 1).Layer("Dense", "d").Count(0).Count(2).ZeroMatrix(2, 3);
        int biasOffset = bytes.Position;
        byte[] file = bytes.Vector(0, 0).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(file), "m.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo(
            $"m.mnbp: not a valid MnistBp model at byte {biasOffset}: layer 0 (Dense 'd'), parameter 1 'b d': the file holds [2], the layer its factory made has [3]."));

        byte[] extra = new ModelBytes(layerCount: 1).Layer("Sigmoid", "s").Count(0).Count(1).Vector(1).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(extra), "m.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.Contains(
            "at byte 12: layer 0 (Sigmoid 's') has 1 parameters in the file ([1]), but the layer its factory made has 0 ()"));

        byte[] rank = new ModelBytes(layerCount: 1).Layer(Scale.KindName, "g").Count(1).Setting("factor", 1f).Count(1).ZeroMatrix(1, 2).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(rank), "m.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.Contains(
            "parameter 0 'g g': the file holds [1 x 2], the layer its factory made has [2]"));
    }

    [Test]
    public void A_factory_that_fails_or_returns_null_is_reported_with_the_layer()
    {
        byte[] noWeights = new ModelBytes(layerCount: 1).Layer("Dense", "d").Count(0).Count(0).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(noWeights), "m.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo(
            "m.mnbp: not a valid MnistBp model at byte 12: layer 0 (Dense 'd'): the factory registered for 'Dense' failed: Dense 'd' has 0 parameters in the file; parameter 0 was asked for."));

        byte[] empty = new ModelBytes(layerCount: 1).Layer("Dense", "d").Count(0).Count(2).ZeroMatrix(0, 3).Vector(0, 0, 0).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(empty), "m.mnbp"), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains("the factory registered for 'Dense' failed:").And.InnerException.TypeOf<ArgumentOutOfRangeException>());

        LayerRegistry.Register("Tests.ReturnsNull", ExampleKinds.ReturnsNull);
        byte[] nothing = new ModelBytes(layerCount: 1).Layer("Tests.ReturnsNull", "").Count(0).Count(0).ToArray();
        Assert.That(() => ModelFile.Load(new MemoryStream(nothing), "m.mnbp"), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo(
            "m.mnbp: not a valid MnistBp model at byte 12: layer 0 (Tests.ReturnsNull): the factory registered for 'Tests.ReturnsNull' returned null."));
    }

    [Test]
    public void Names_with_control_characters_are_escaped_in_every_message()
    {
        string evilKind = "Evil\u001B[31m\nKind\u202E";
        string evilName = "name\r\n\u0007";
        byte[] bytes = new ModelBytes(layerCount: 1).Layer(evilKind, evilName).Count(0).Count(0).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "evil.mnbp"));
        Assert.That(error!.Message.Any(c => char.IsControl(c) || c == '\u202E'), Is.False, error.Message);
        Assert.That(error.Message, Does.Contain(@"layer 0 (Evil\u001B[31m\u000AKind\u202E 'name\u000D\u000A\u0007')"));
        Assert.That(error.Message, Does.Contain(@"LayerRegistry.Register(""Evil\u001B[31m\u000AKind\u202E"", record => new YourLayer(record.Name))"));

        byte[] setting = new ModelBytes(layerCount: 1).Layer(Scale.KindName, evilName).Count(1).Setting("fac\ntor", 1f).Count(1).Vector(1).ToArray();
        var missing = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(setting), "evil.mnbp"));
        Assert.That(missing!.Message.Any(char.IsControl), Is.False, missing.Message);
        Assert.That(missing.Message, Does.Contain(@"the layer has fac\u000Ator = 1 (float32)"));
    }

    [Test]
    public void LayerSettings_refuses_bad_names_and_values_and_lists_what_it_holds()
    {
        var settings = new LayerSettings().Add("steps", 3).Add("rate", 0.5f).Add("label", "a\nb").Add("on", true);
        Assert.That(settings.Names, Is.EqualTo(new[] { "steps", "rate", "label", "on" }));
        Assert.That(settings.Count, Is.EqualTo(4));
        Assert.That(settings.Contains("rate") && !settings.Contains("Rate"), Is.True);
        Assert.That(settings.ToString(), Is.EqualTo(@"steps = 3 (int32), rate = 0.5 (float32), label = ""a\u000Ab"" (string), on = true (bool)"));
        Assert.That((settings.GetInt32("steps"), settings.GetSingle("rate"), settings.GetString("label"), settings.GetBoolean("on")), Is.EqualTo((3, 0.5f, "a\nb", true)));
        Assert.That((settings.GetInt32("none", 7), settings.GetSingle("none", 1.5f), settings.GetString("none", "d"), settings.GetBoolean("none", true)), Is.EqualTo((7, 1.5f, "d", true)));

        Assert.That(() => settings.Add("steps", 4), Throws.ArgumentException.With.Message.Contains("'steps' is used twice"));
        Assert.That(() => settings.Add("", 4), Throws.ArgumentException.With.Message.Contains("is 0 UTF-8 bytes"));
        Assert.That(() => settings.Add(new string('n', 257), 4), Throws.ArgumentException.With.Message.Contains("is 257 UTF-8 bytes; a setting name is 1 to 256"));
        Assert.That(() => settings.Add("long", new string('v', 4097)), Throws.ArgumentException.With.Message.Contains("4097 UTF-8 bytes; at most 4096"));
        Assert.That(() => settings.Add("lone", "\udc00"), Throws.ArgumentException.With.Message.Contains("lone surrogate"));
        Assert.That(() => settings.GetInt32("rate", 1), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("the setting 'rate' should be int32 but is rate = 0.5 (float32)."));
        Assert.That(() => settings.GetBoolean("missing"), Throws.TypeOf<InvalidDataException>().With.Message.StartsWith("the bool setting 'missing' is missing; the layer has steps = 3"));

        var full = new LayerSettings();
        for (int i = 0; i < 256; i++)
        {
            full.Add(i.ToString(CultureInfo.InvariantCulture), i);
        }

        Assert.That(() => full.Add("one more", 1), Throws.InvalidOperationException.With.Message.Contains("at most 256 settings"));
    }

    [Test]
    public void A_layer_whose_WriteSettings_breaks_the_rules_is_named_on_save()
    {
        var model = new Sequential(new Labelled("twice", 1, 1f, "x", true, writeTwice: true));
        using var stream = new MemoryStream();
        Assert.That(() => ModelFile.Save(model, stream), Throws.ArgumentException.With.Message.StartsWith("layer 0 (Labelled 'twice'): the setting name 'steps' is used twice"));
        Assert.That(stream.Length, Is.Zero);
    }

    [Test]
    public void LayerRecord_and_ParameterShape_describe_what_the_file_holds()
    {
        var record = new LayerRecord("Dense", "hidden", new LayerSettings(), [new ParameterShape(784, 30), new ParameterShape(30)]);
        Assert.That(record.ToString(), Is.EqualTo("Dense 'hidden'"));
        Assert.That(record.GetParameterShape(0), Is.EqualTo(new ParameterShape(784, 30)));
        Assert.That(record.ParameterShapes.Select(s => s.ToString()), Is.EqualTo(new[] { "[784 x 30]", "[30]" }));
        Assert.That(() => record.GetParameterShape(2), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("Dense 'hidden' has 2 parameters in the file; parameter 2 was asked for."));
        Assert.That(() => new LayerRecord("Dense", "", new LayerSettings(), [default]), Throws.ArgumentException);

        var dense = (Dense)LayerRegistryFactory("Dense")(record);
        Assert.That((dense.InputSize, dense.OutputSize, dense.Name), Is.EqualTo((784, 30, "hidden")));
        Assert.That(ParameterShape.Of(dense.Weights.Value), Is.EqualTo(new ParameterShape(784, 30)));
        Assert.That(ParameterShape.Of(dense.Biases.Value), Is.Not.EqualTo(new ParameterShape(1, 30)), "rank 1 [30] is not rank 2 [1 x 30]");
        Assert.That((new ParameterShape(30).Rows, new ParameterShape(30).Columns, new ParameterShape(3, 4).Length), Is.EqualTo((1, 30, 12L)));
    }

    private static Func<LayerRecord, Layer> LayerRegistryFactory(string kind) =>
        LayerRegistry.TryGetFactory(kind, out Func<LayerRecord, Layer> create) ? create : throw new AssertionException($"{kind} is not registered");
}

/// <summary>Makes the example kinds loadable; one call each, at start-up.</summary>
internal static class ExampleKinds
{
    public static void Register()
    {
        LayerRegistry.Register(Scale.KindName, Scale.Create);
        LayerRegistry.Register(typeof(Negate).FullName!, Negate.Create); // Negate keeps the default Kind, its full type name
        LayerRegistry.Register(Labelled.KindName, Labelled.Create);
    }

    /// <summary>A broken factory, for the error it causes.</summary>
    public static Layer ReturnsNull(LayerRecord record) => null!;
}

/// <summary>
/// A layer of one's own with a setting and a parameter: <c>output = factor · input ⊙ gain</c>, one
/// trainable gain per input and a fixed factor.
/// </summary>
internal sealed class Scale : Layer
{
    public const string KindName = "Tests.Scale";

    private readonly Parameter[] _parameters;
    private Tensor? _input; // cached by Forward: Backward needs it for dGain
    private Tensor? _output;
    private Tensor? _dInput;

    public Scale(int size, float factor, string name = "scale")
        : base(name)
    {
        Factor = factor;
        Gain = new Parameter(new Tensor(size, "g " + name));
        Gain.Value.Fill(1f);
        _parameters = [Gain];
    }

    public float Factor { get; }

    public Parameter Gain { get; }

    public override IReadOnlyList<Parameter> Parameters => _parameters;

    public override string Kind => KindName;

    public override int? FixedInputSize => Gain.Value.Length;

    // Saved: the factor. Gain is a parameter, saved without this.
    public override void WriteSettings(LayerSettings settings) => settings.Add("factor", Factor);

    // Loaded: the size from the shape of the saved gain, the factor from the settings.
    public static Scale Create(LayerRecord record) =>
        new(record.GetParameterShape(0).Columns, record.Settings.GetSingle("factor"), record.Name);

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "y");
        for (int r = 0; r < input.Rows; r++)
        {
            Span<float> x = input.Row(r), y = output.Row(r);
            for (int c = 0; c < x.Length; c++)
            {
                y[c] = Factor * x[c] * Gain.Value[c];
            }
        }

        return output;
    }

    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor dGain = Gain.GradientToAccumulate(out bool accumulate);
        if (!accumulate)
        {
            dGain.Clear();
        }

        Tensor dInput = Reuse(ref _dInput, dOutput.Rows, dOutput.Columns, "dX");
        for (int r = 0; r < dOutput.Rows; r++)
        {
            Span<float> dY = dOutput.Row(r), x = _input!.Row(r), dX = dInput.Row(r);
            for (int c = 0; c < dY.Length; c++)
            {
                dGain[c] += dY[c] * Factor * x[c];
                dX[c] = dY[c] * Factor * Gain.Value[c];
            }
        }

        return dInput;
    }
}

/// <summary>A user's layer whose Kind is the built-in "Relu", which it is not (it negates, as Negate).</summary>
internal sealed class ClaimsRelu(string name) : Layer(name)
{
    private readonly Negate _inner = new(name);

    public override string Kind => "Relu";

    public override Tensor Forward(Tensor input) => _inner.Forward(input);

    public override Tensor Backward(Tensor dOutput) => _inner.Backward(dOutput);
}

/// <summary>A layer whose Kind is whatever it is given (it negates, as Negate).</summary>
internal sealed class ClaimsKind(string kind, string name) : Layer(name)
{
    private readonly Negate _inner = new(name);

    public override string Kind => kind;

    public static ClaimsKind Create(LayerRecord record) => new(record.Kind, record.Name);

    public override Tensor Forward(Tensor input) => _inner.Forward(input);

    public override Tensor Backward(Tensor dOutput) => _inner.Backward(dOutput);
}

/// <summary>A layer without parameters or settings that keeps the default <see cref="Layer.Kind"/>: <c>output = -input</c>.</summary>
internal sealed class Negate(string name = "negate") : Layer(name)
{
    private Tensor? _output;

    public static Negate Create(LayerRecord record) => new(record.Name);

    public override Tensor Forward(Tensor input)
    {
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "y");
        Span<float> x = input.AsSpan(), y = output.AsSpan();
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = -x[i];
        }

        return output;
    }

    public override Tensor Backward(Tensor dOutput)
    {
        var dInput = new Tensor(dOutput.Rows, dOutput.Columns);
        Span<float> dY = dOutput.AsSpan(), dX = dInput.AsSpan();
        for (int i = 0; i < dY.Length; i++)
        {
            dX[i] = -dY[i];
        }

        return dInput;
    }
}

/// <summary>An identity layer with a setting of every type, to check each one round-trips.</summary>
internal sealed class Labelled(string name, int steps, float gain, string label, bool enabled, bool writeTwice = false) : Layer(name)
{
    public const string KindName = "Tests.Labelled";

    public int Steps => steps;

    public float Gain => gain;

    public string Label => label;

    public bool Enabled => enabled;

    public override string Kind => KindName;

    public static Labelled Create(LayerRecord record) => new(
        record.Name, record.Settings.GetInt32("steps"), record.Settings.GetSingle("gain"), record.Settings.GetString("label"), record.Settings.GetBoolean("enabled"));

    public override void WriteSettings(LayerSettings settings)
    {
        settings.Add("steps", steps).Add("gain", gain).Add("label", label).Add("enabled", enabled);
        if (writeTwice)
        {
            settings.Add("steps", steps);
        }
    }

    public override Tensor Forward(Tensor input) => input;

    public override Tensor Backward(Tensor dOutput) => dOutput;
}

/// <summary>A layer whose kind is never registered.</summary>
internal sealed class Unregistered(string name) : Layer(name)
{
    public override string Kind => "Tests.Unregistered";

    public override Tensor Forward(Tensor input) => input;

    public override Tensor Backward(Tensor dOutput) => dOutput;
}
