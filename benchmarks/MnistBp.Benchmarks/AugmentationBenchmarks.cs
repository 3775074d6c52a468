// The built-in augmentations on one batch of 128 images of 28 x 28, against the scalar twin of their
// batch kernel (the baseline: the same draws, scalar convolution and resampling, one thread). One
// 60,000-image epoch costs 468.75 of these calls. The images are random pixels, applied to in place
// call after call: the cost does not depend on the pixel values. The setup checks first that the fast
// kernel gives the twin's result for the same seeds.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace MnistBp.Benchmarks;

[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AugmentationBenchmarks
{
    private const int Batch = 128, Width = 28, Height = 28;
    private const float MaxShift = 2f, MaxDegrees = 10f, MaxScale = 0.1f, Alpha = 34f, Sigma = 4f;
    private readonly DeterministicRandom _random = new(1);
    private readonly ulong[] _seeds = new ulong[Batch];
    private Tensor _batch = new(0);
    private AffineAugmentation _affine = null!;
    private ElasticDistortion _elastic = null!;
    private AugmentSettings _affineSettings, _elasticSettings;

    [GlobalSetup]
    public void Setup()
    {
        var random = new DeterministicRandom(3);
        _batch = new Tensor(Batch, Width * Height);
        Span<float> pixels = _batch.AsSpan();
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        for (int i = 0; i < Batch; i++)
        {
            _seeds[i] = random.NextUInt64();
        }

        _affine = new AffineAugmentation(Width, Height, MaxShift, MaxDegrees, MaxScale);
        _elastic = new ElasticDistortion(Width, Height, Alpha, Sigma);
        _affineSettings = new AugmentSettings(Width, Height, MaxShift, MaxDegrees * MathF.PI / 180f, MaxScale, [], []);
        _elasticSettings = new AugmentSettings(Width, Height, 0f, 0f, 0f, Kernels.GaussianWeights(Sigma, Alpha), Kernels.GaussianWeights(Sigma, 1f));
        foreach ((AugmentSettings settings, string name) in new[] { (_affineSettings, "affine"), (_elasticSettings, "elastic") })
        {
            float[] fast = _batch.ToArray(), slow = _batch.ToArray();
            Kernels.AugmentImages(fast, _seeds, settings);
            Kernels.AugmentImagesScalar(slow, _seeds, settings);
            Check.Close(fast, slow, 1e-5f, $"AugmentImages ({name})");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Affine")]
    public void AffineScalar() => Kernels.AugmentImagesScalar(_batch.AsSpan(), _seeds, _affineSettings);

    [Benchmark, BenchmarkCategory("Affine")]
    public void Affine() => _affine.Apply(_batch, _random);

    [Benchmark(Baseline = true), BenchmarkCategory("Elastic")]
    public void ElasticScalar() => Kernels.AugmentImagesScalar(_batch.AsSpan(), _seeds, _elasticSettings);

    [Benchmark, BenchmarkCategory("Elastic")]
    public void Elastic() => _elastic.Apply(_batch, _random);
}
