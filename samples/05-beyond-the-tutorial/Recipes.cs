// The recipes of sample 05, each fixed in advance after a published result. Every choice below is
// the paper's or the book's where they state it, and otherwise a common default named in its
// comment; they were settled on the validation split (the last 10,000 training images), never on
// the test set. A recipe trains on all 60,000 training images unless it validates (Validates).
namespace MnistBp.Samples.Beyond;

/// <summary>The recipes, in the order --list prints them.</summary>
internal static class Recipes
{
    /// <summary>Every recipe.</summary>
    public static IReadOnlyList<Recipe> All { get; } =
    [
        new("nielsen-ch3", "Nielsen, Neural Networks and Deep Learning, chapter 3 (network2.py): 784-100-10 sigmoid, cross-entropy, L2 λ = 5.0, η = 0.1, 60 epochs",
            "98.04% (his validation set)", Epochs: 60, Validates: true, NielsenChapter3),
        new("keras-mlp", "the classic Keras example mnist_mlp.py: 784-512-512-10 ReLU, dropout 0.2, RMSprop, 20 epochs",
            "98.40%", Epochs: 20, Validates: false, KerasMlp),
        new("simard-800", "Simard, Steinkraus & Platt 2003: 784-800-10, cross-entropy, no distortions",
            "98.4% (1.6% error)", Epochs: 40, Validates: false, Simard800),
        new("dropout", "Srivastava et al. 2014: 3 x 1024 ReLU, dropout, max-norm (here 2 x 1000)",
            "98.94% (1.06% error)", Epochs: 80, Validates: false, DropoutNet),
        new("augmented", "Simard et al. 2003, elastic distortions (784-800-10: 99.3%); here a 784-1000-1000-10 ReLU MLP",
            "99.3% (0.7% error)", Epochs: 150, Validates: false, Augmented),
        new("fast-98", "the shortest training to 98% on two cores: 784-384-10 ReLU, softmax cross-entropy, Nesterov momentum",
            "98% (sample 04's sigmoid net: 27 epochs, about 4 s)", Epochs: 3, Validates: false, Fast98),
    ];

    /// <summary>
    /// Nielsen's chapter-3 run as the book states it ("Overfitting and regularization"): 784-100-10, sigmoid outputs
    /// with the cross-entropy cost, L2 with λ = 5.0 scaled by the 50,000 training images (w ← (1 − ηλ/n) w − η ∂C0/∂w,
    /// biases not decayed), weights from N(0, 1/inputs) and biases from N(0, 1) (his default_weight_initializer),
    /// mini-batches of 10, validating on the last 10,000 training images as he does. His 30 epochs at η = 0.5 reach
    /// 97.92% on validation; his next run, 60 epochs at η = 0.1, is the one that "breaks the 98 percent barrier" with
    /// 98.04%: that is this recipe. In the book those runs call net.large_weight_initializer() (weights N(0, 1)) before
    /// training, since the chapter's better initialisation comes a section later; network2.py's default is the one used
    /// here. Both were run on the validation split, seeds 1-3, 60 epochs: N(0, 1) gave 97.72, 97.73 and 97.83% at the
    /// end (best epochs 97.91, 97.80, 97.82%), N(0, 1/inputs) 97.99, 97.98 and 97.96% (best 98.02, 98.07, 98.15%),
    /// the nearer to his 98.04%. Nor does keeping the best validation epoch instead of the last help: with the training
    /// images split 40,000 / 10,000 / 10,000 (train, pick the epoch, measure), seeds 1-5, the last epoch scored 97.76,
    /// 97.78, 97.64, 97.81 and 97.83% on the third part (mean 97.76%), the best validation epoch 97.86, 97.78, 97.68,
    /// 97.78 and 97.64% (mean 97.75%). So the recipe trains its 60 epochs and keeps the last, as the book does.
    /// The output sigmoid sits inside the loss (SigmoidCrossEntropy over the logits), because that is what network2.py
    /// computes: its CrossEntropyCost.delta returns a - y without ever forming σ'(z), so an output that has rounded to
    /// exactly 1 still learns. A Sigmoid layer followed by CrossEntropyCost multiplies by a (1 - a), which is 0 there
    /// in float (docs chapter 11). The numbers quoted above are from that earlier form. The switch was made for
    /// fidelity to network2.py, before the fused form was run; its runs are not the same bits (seed 2's mean training
    /// loss differs in the fifth decimal at epoch 39), but seeds 1-5 end at the same test accuracies as the earlier
    /// form did: 97.87, 97.93, 98.01, 97.90 and 97.89% (mean 97.92%). This net's outputs are never both wrong and saturated.
    /// </summary>
    private static RecipeRun NielsenChapter3(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        var model = new Sequential(
            new Dense(setup.InputSize, 100, WeightInit.ScaledNormal, random, "hidden"),
            new Sigmoid("hidden sigmoid"),
            new Dense(100, setup.ClassCount, WeightInit.ScaledNormal, random, "output"));
        // λ/n: Nielsen's L2 term λ/(2n) Σw² has the gradient (λ/n) w
        var optimizer = new Sgd(model.Parameters, 0.1f, weightDecay: WeightDecay.FromL2(5.0f, setup.TrainingCount));
        return new RecipeRun(model, new SigmoidCrossEntropy(), optimizer, new TrainingOptions { BatchSize = 10, ShuffleSeed = setup.Seed },
            $"{setup.InputSize}-100-{setup.ClassCount}, sigmoid, cross-entropy cost on sigmoid outputs (fused over the logits), L2 λ = 5.0 (weight decay λ/n = {WeightDecay.FromL2(5.0f, setup.TrainingCount):G3})");
    }

    /// <summary>
    /// The Keras example mnist_mlp.py as it shipped with Keras 2: Dense(512, relu), Dropout(0.2), Dense(512, relu),
    /// Dropout(0.2), Dense(10, softmax) on pixels scaled to [0, 1], categorical cross-entropy, RMSprop() with its
    /// defaults (learn rate 0.001, ρ = 0.9, ε = 1e-7, K.epsilon(), in later Keras 2 releases, 1e-8 in the first; no decay), batches of 128, 20 epochs on all 60,000 training
    /// images, shuffled every epoch; Keras's Dense default initialisation, Glorot uniform weights and zero biases.
    /// Nothing chosen here: every setting is the example's. The softmax and its cross-entropy are the fused
    /// SoftmaxCrossEntropy, which is the same function as Keras's softmax layer followed by its loss.
    /// </summary>
    private static RecipeRun KerasMlp(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        ulong dropoutSeed = setup.Seed * 1000;
        var model = new Sequential(
            new Dense(setup.InputSize, 512, WeightInit.XavierUniform, random, "hidden 1"),
            new Relu("relu 1"),
            new Dropout(0.2f, dropoutSeed + 1, "dropout 1"),
            new Dense(512, 512, WeightInit.XavierUniform, random, "hidden 2"),
            new Relu("relu 2"),
            new Dropout(0.2f, dropoutSeed + 2, "dropout 2"),
            new Dense(512, setup.ClassCount, WeightInit.XavierUniform, random, "output"));
        var optimizer = new RmsProp(model.Parameters, learnRate: 0.001f, rho: 0.9f, epsilon: 1e-7f);
        return new RecipeRun(model, new SoftmaxCrossEntropy(), optimizer, new TrainingOptions { BatchSize = 128, ShuffleSeed = setup.Seed },
            $"{setup.InputSize}-512-512-{setup.ClassCount}, ReLU, dropout 0.2 after each hidden layer, Glorot uniform, softmax cross-entropy");
    }

    /// <summary>
    /// Simard et al.'s fully connected net without distortions: 784-800-10 trained on cross-entropy. Their hidden
    /// units were sigmoids; here ReLU with He initialisation, dropout 0.5 on the hidden layer, a softmax output (the
    /// fused SoftmaxCrossEntropy), Nesterov momentum 0.9 at η = 0.05 annealed to 0 on a cosine, mini-batches of 64,
    /// 40 epochs; no distortions, as theirs. Chosen on the validation split (train on 50,000, measure the other
    /// 10,000): 98.67% with the dropout, 98.29% without, 98.34% with weight decay 5e-4 instead, 98.51% with dropout
    /// 0.2 on the inputs as well.
    /// </summary>
    private static RecipeRun Simard800(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        var model = new Sequential(
            new Dense(setup.InputSize, 800, WeightInit.HeNormal, random, "hidden"),
            new Relu("hidden relu"),
            new Dropout(0.5f, setup.Seed * 1000, "hidden dropout"),
            new Dense(800, setup.ClassCount, WeightInit.XavierNormal, random, "output"));
        var optimizer = new Momentum(model.Parameters, 0.05f, 0.9f, nesterov: true);
        return new RecipeRun(model, new SoftmaxCrossEntropy(), optimizer,
            new TrainingOptions { BatchSize = 64, ShuffleSeed = setup.Seed, Schedule = LearnRateSchedule.Cosine() },
            $"{setup.InputSize}-800-{setup.ClassCount}, ReLU, dropout 0.5 on the hidden layer, softmax cross-entropy, cosine schedule");
    }

    /// <summary>
    /// After Srivastava et al. 2014, table 2 ("dropout NN + max-norm constraint", ReLU units): two hidden layers of
    /// 1000 with dropout 0.5 after each, each unit's incoming weights kept to norm ≤ 3.5, Nesterov momentum 0.9 at
    /// η = 0.1 on a cosine to 0, mini-batches of 128, 80 epochs. Their 98.94% is three layers of 1024 with dropout 0.2
    /// on the inputs too; here the inputs are not dropped (on the validation split, input dropout cost a 784-800-10
    /// 0.16 points: 98.51% against 98.67%), and a first run of their three layers of 1000 with input dropout, 80
    /// epochs, reached 98.55% on the test set in 751 s. Layers of 1000, not 1024: when the recipe was fixed, a width of
    /// exactly 1024 (rows 4 KB apart) ran the matrix product at 155-177 GFLOP/s instead of 259-275 at 1000-1040; the
    /// kernel now packs such strips (268 GFLOP/s at 1024), but the recipe stays as it was chosen. Variants tried later on
    /// the validation split only, none clearly better than this recipe's 98.57% there: batches of 64 at η = 0.05
    /// 98.61%, input dropout 0.2 98.57%, input dropout 0.2 for 200 epochs 98.59%, two layers of 2048 for 60 epochs
    /// 98.62% (98.61% with input dropout 0.2), η = 0.3 after a 5-epoch warm-up 88-90% (stopped); and, 80 epochs each,
    /// label smoothing 0.1 98.41%, max-norm 2 98.57%, L2 weight decay 5e-4 98.53%, momentum 0.99 at η = 0.01 98.47%,
    /// batches of 32 at η = 0.025 98.54%. Every one ends within 0.1 of the others: in 15 minutes on two cores a
    /// dropout MLP of this size sits at about 98.6% on the validation split.
    /// </summary>
    private static RecipeRun DropoutNet(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        ulong dropoutSeed = setup.Seed * 1000;
        var model = new Sequential(
            new Dense(setup.InputSize, 1000, WeightInit.HeNormal, random, "hidden 1"),
            new Relu("relu 1"),
            new Dropout(0.5f, dropoutSeed + 1, "dropout 1"),
            new Dense(1000, 1000, WeightInit.HeNormal, random, "hidden 2"),
            new Relu("relu 2"),
            new Dropout(0.5f, dropoutSeed + 2, "dropout 2"),
            new Dense(1000, setup.ClassCount, WeightInit.XavierNormal, random, "output"));
        var optimizer = new Momentum(model.Parameters, 0.1f, 0.9f, nesterov: true);
        return new RecipeRun(model, new SoftmaxCrossEntropy(), optimizer,
            new TrainingOptions { BatchSize = 128, ShuffleSeed = setup.Seed, Schedule = LearnRateSchedule.Cosine(), MaxNorm = 3.5f },
            $"{setup.InputSize}-1000-1000-{setup.ClassCount}, ReLU, dropout 0.5 after each hidden layer, max-norm 3.5, softmax cross-entropy, cosine schedule");
    }

    /// <summary>
    /// Simard et al.'s elastic distortions (α = 34, σ = 4) with small random rotations (±10°) and scalings (±10%),
    /// new ones for every image of every epoch, on a 784-1000-1000-10 ReLU MLP; Nesterov momentum 0.9 at η = 0.1 on a
    /// cosine to 0, mini-batches of 128. Distorted data needs many epochs: each one is a new training set.
    /// </summary>
    private static RecipeRun Augmented(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        var model = new Sequential(
            new Dense(setup.InputSize, 1000, WeightInit.HeNormal, random, "hidden 1"),
            new Relu("relu 1"),
            new Dense(1000, 1000, WeightInit.HeNormal, random, "hidden 2"),
            new Relu("relu 2"),
            new Dense(1000, setup.ClassCount, WeightInit.XavierNormal, random, "output"));
        var optimizer = new Momentum(model.Parameters, 0.1f, 0.9f, nesterov: true);
        var distortion = new ElasticDistortion(setup.ImageWidth, setup.ImageHeight, alpha: 34f, sigma: 4f, maxRotationDegrees: 10f, maxScale: 0.1f);
        return new RecipeRun(model, new SoftmaxCrossEntropy(), optimizer,
            new TrainingOptions { BatchSize = 128, ShuffleSeed = setup.Seed, Schedule = LearnRateSchedule.Cosine(), Augmentation = distortion, AugmentationSeed = setup.Seed },
            $"{setup.InputSize}-1000-1000-{setup.ClassCount}, ReLU, softmax cross-entropy, {distortion}, cosine schedule");
    }

    /// <summary>
    /// As little training as reaches 98%: one ReLU layer of 384, He initialisation, softmax cross-entropy, Nesterov
    /// momentum 0.9 at η = 0.3 on a cosine to 0 over 3 epochs, mini-batches of 128 (the matrix products run near the
    /// machine's peak at that size). Chosen on the validation split, 3 epochs each: 512 units 98.06% in 1.80 s,
    /// 448 97.87% in 1.43 s, 384 97.92% in 1.37 s; batches of 192 or 256 at higher rates did worse (97.66-97.77%).
    /// </summary>
    private static RecipeRun Fast98(RecipeSetup setup)
    {
        var random = new DeterministicRandom(setup.Seed);
        var model = new Sequential(
            new Dense(setup.InputSize, 384, WeightInit.HeNormal, random, "hidden"),
            new Relu("hidden relu"),
            new Dense(384, setup.ClassCount, WeightInit.XavierNormal, random, "output"));
        var optimizer = new Momentum(model.Parameters, 0.3f, 0.9f, nesterov: true);
        return new RecipeRun(model, new SoftmaxCrossEntropy(), optimizer,
            new TrainingOptions { BatchSize = 128, ShuffleSeed = setup.Seed, Schedule = LearnRateSchedule.Cosine() },
            $"{setup.InputSize}-384-{setup.ClassCount}, ReLU, softmax cross-entropy, cosine schedule");
    }
}
