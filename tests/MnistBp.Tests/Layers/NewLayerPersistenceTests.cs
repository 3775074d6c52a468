// NewLayerPersistenceTests: Relu, LeakyRelu, Tanh and Dropout are built-in kinds of the model file.
// A model holding all four saves and loads through ModelFile with bit-identical predictions, the
// slope, rate and seed come back exactly (the seed is a decimal string: settings hold no 64-bit
// integers), and a file with a bad slope or seed is refused with a message naming the setting.
namespace MnistBp.Tests.Layers;

internal sealed class NewLayerPersistenceTests
{
    [Test]
    public void The_new_kinds_are_registered_without_any_call()
    {
        Assert.That(LayerRegistry.Registered, Does.Contain("Relu").And.Contain("LeakyRelu").And.Contain("Tanh").And.Contain("Dropout"));
        foreach (Layer layer in new Layer[] { new Relu(), new LeakyRelu(), new Tanh(), new Dropout(0.5f) })
        {
            Assert.That(LayerRegistry.IsRegistered(layer.Kind), Is.True, layer.Kind);
        }
    }

    [Test]
    public void A_model_with_every_new_layer_round_trips_with_the_same_predictions_and_settings()
    {
        var random = new DeterministicRandom(17);
        const ulong Seed = 18_446_744_073_709_551_557UL; // above 2^63: the whole 64 bits come back
        var model = new Sequential(
            new Dense(12, 9, WeightInit.StandardNormal, random, "first"), new LeakyRelu(0.125f, "leaky"), new Dropout(0.35f, Seed, "drop"),
            new Dense(9, 7, WeightInit.StandardNormal, random, "second"), new Tanh("squash"),
            new Dense(7, 4, WeightInit.StandardNormal, random, "third"), new Relu("rectify"));
        Tensor x = LayerTestData.GaussianTensor(random, 6, 12, scale: 2);

        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        Sequential loaded = ModelFile.Load(stream, "round trip");

        Assert.That(LayerTestData.Bits(loaded.Predict(x).AsSpan()), Is.EqualTo(LayerTestData.Bits(model.Predict(x).AsSpan())));
        Assert.That(loaded.Layers.Select(l => (l.GetType(), l.Name)), Is.EqualTo(model.Layers.Select(l => (l.GetType(), l.Name))));
        var leaky = (LeakyRelu)loaded.Layers[1];
        var dropout = (Dropout)loaded.Layers[2];
        Assert.That(BitConverter.SingleToInt32Bits(leaky.Slope), Is.EqualTo(BitConverter.SingleToInt32Bits(0.125f)));
        Assert.That((dropout.Rate, dropout.Seed), Is.EqualTo((0.35f, Seed)));

        // The loaded dropout draws the masks a new Dropout with that seed draws.
        var fresh = new Dropout(0.35f, Seed);
        var h = new Tensor(3, 9);
        h.Fill(1f);
        dropout.Forward(h);
        fresh.Forward(h);
        Assert.That(dropout.LastMask.ToArray(), Is.EqualTo(fresh.LastMask.ToArray()));
    }

    [Test]
    public void A_bad_seed_or_slope_in_a_file_is_refused_naming_the_setting()
    {
        byte[] badSeed = new ModelBytes(layerCount: 1).Layer("Dropout", "drop").Count(2).Setting("rate", 0.5f).Setting("seed", "-3").Count(0).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(badSeed), "bad-seed.mnbp"));
        Assert.That(error!.Message, Does.Contain("Dropout 'drop'").And.Contain("'seed' is \"-3\", not a decimal number"));

        byte[] badSlope = new ModelBytes(layerCount: 1).Layer("LeakyRelu", "leaky").Count(1).Setting("slope", 2f).Count(0).ToArray();
        error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(badSlope), "bad-slope.mnbp"));
        Assert.That(error!.Message, Does.Contain("LeakyRelu 'leaky'").And.Contain("slope must be finite and in [0, 1); 2 is not"));

        byte[] noRate = new ModelBytes(layerCount: 1).Layer("Dropout", "drop").Count(1).Setting("seed", "1").Count(0).ToArray();
        error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(noRate), "no-rate.mnbp"));
        Assert.That(error!.Message, Does.Contain("rate"));
    }
}
