// Dense: the fully connected layer, Z = A·W + b. It is every "sum_h1 = w1*x[0] + w2*x[1] + b1" of
// the tutorial at once: column j of W holds the weights into neuron j, and each row of A is one
// sample. W is [inputSize x outputSize], as in a^{l-1}·w^l = z^l. It does not apply an activation
// (that is the next layer's job) and does not update its own weights (that is the optimizer's).
namespace MnistBp;

/// <summary>How <see cref="Dense"/> draws its initial weights.</summary>
public enum WeightInit
{
    /// <summary>Every weight and bias from N(0, 1), as in the tutorial (<c>np.random.normal()</c>).</summary>
    StandardNormal,

    /// <summary>Weights from N(0, 1/inputSize), biases from N(0, 1): keeps sigmoids out of saturation for wide layers.</summary>
    ScaledNormal,

    /// <summary>
    /// Xavier/Glorot normal (Glorot and Bengio 2010): weights from N(0, 2/(inputSize + outputSize)), biases
    /// zero. Suits activations symmetric about 0 and roughly linear there: tanh, sigmoid, softmax outputs.
    /// </summary>
    XavierNormal,

    /// <summary>
    /// Xavier/Glorot uniform (Glorot and Bengio 2010): weights from U(-√(6/(inputSize + outputSize)), +√(6/(inputSize + outputSize))),
    /// the same variance 2/(inputSize + outputSize) as <see cref="XavierNormal"/>; biases zero. Suits tanh, sigmoid, softmax outputs.
    /// </summary>
    XavierUniform,

    /// <summary>
    /// He/Kaiming normal (He et al. 2015): weights from N(0, 2/inputSize), biases zero. Suits ReLU and its
    /// kin, which zero half their inputs: the factor 2 keeps the variance of the activations from halving per layer.
    /// </summary>
    HeNormal,

    /// <summary>
    /// He/Kaiming uniform (He et al. 2015): weights from U(-√(6/inputSize), +√(6/inputSize)), the same
    /// variance 2/inputSize as <see cref="HeNormal"/>; biases zero. Suits ReLU and its kin.
    /// </summary>
    HeUniform,
}

/// <summary>A fully connected layer: <c>output = input · Weights + Biases</c>.</summary>
public sealed class Dense : Layer
{
    private readonly Parameter[] _parameters;
    private Tensor? _input;   // cached by Forward: Backward needs A for dW = Aᵀ·dZ
    private Tensor? _output;
    private Tensor? _dInput;

    /// <summary>Creates a layer with all weights and biases zero (set them through <see cref="Weights"/> and <see cref="Biases"/>).</summary>
    /// <param name="inputSize">Number of inputs per sample (rows of W).</param>
    /// <param name="outputSize">Number of neurons (columns of W).</param>
    /// <param name="name">A name; the tensors are called "W name" and "b name".</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public Dense(int inputSize, int outputSize, string name = "dense")
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        InputSize = inputSize;
        OutputSize = outputSize;
        Weights = new Parameter(new Tensor(inputSize, outputSize, name.Length == 0 ? "W" : "W " + name), ParameterRole.Weights);
        Biases = new Parameter(new Tensor(outputSize, name.Length == 0 ? "b" : "b " + name), ParameterRole.Biases);
        _parameters = [Weights, Biases];
    }

    /// <summary>Creates a layer with random weights drawn by <paramref name="random"/>: weights row by row, then biases.</summary>
    /// <remarks>
    /// <see cref="WeightInit.StandardNormal"/> and <see cref="WeightInit.ScaledNormal"/> draw the biases
    /// from N(0, 1) after the weights, as Nielsen's network.py does. The Xavier and He initialisations set
    /// the biases to zero and draw nothing for them, the usual convention with these schemes (Keras's
    /// default; in PyTorch, torch.nn.init.zeros_ on the bias, which a PyTorch comparison must do explicitly,
    /// since nn.Linear's own default bias is U(±1/√inputSize)).
    /// </remarks>
    /// <param name="inputSize">Number of inputs per sample (rows of W).</param>
    /// <param name="outputSize">Number of neurons (columns of W).</param>
    /// <param name="init">The distribution of the initial weights.</param>
    /// <param name="random">The seeded generator to draw from.</param>
    /// <param name="name">A name; the tensors are called "W name" and "b name".</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="init"/> is not a defined <see cref="WeightInit"/>, or a size is zero or negative.</exception>
    public Dense(int inputSize, int outputSize, WeightInit init, DeterministicRandom random, string name = "dense")
        : this(inputSize, outputSize, name)
    {
        ArgumentNullException.ThrowIfNull(random);
        (bool uniform, double scale, bool randomBiases) = init switch
        {
            // W ~ N(0, 1), b ~ N(0, 1)
            WeightInit.StandardNormal => (false, 1.0, true),
            // W ~ N(0, 1/inputSize), b ~ N(0, 1)
            WeightInit.ScaledNormal => (false, 1.0 / Math.Sqrt(inputSize), true),
            // W ~ N(0, σ²), σ = √(2 / (inputSize + outputSize)), b = 0
            WeightInit.XavierNormal => (false, Math.Sqrt(2.0 / (inputSize + outputSize)), false),
            // W ~ U(-limit, limit), limit = √(6 / (inputSize + outputSize)), b = 0
            WeightInit.XavierUniform => (true, Math.Sqrt(6.0 / (inputSize + outputSize)), false),
            // W ~ N(0, σ²), σ = √(2 / inputSize), b = 0
            WeightInit.HeNormal => (false, Math.Sqrt(2.0 / inputSize), false),
            // W ~ U(-limit, limit), limit = √(6 / inputSize), b = 0
            WeightInit.HeUniform => (true, Math.Sqrt(6.0 / inputSize), false),
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown WeightInit."),
        };
        Span<float> weights = Weights.Value.AsSpan();
        for (int i = 0; i < weights.Length; i++)
        {
            // w = scale * g with g ~ N(0, 1), or w = limit * (2u - 1) with u ~ U[0, 1)
            weights[i] = (float)(scale * (uniform ? 2.0 * random.NextDouble() - 1.0 : random.NextGaussian()));
        }

        if (!randomBiases)
        {
            return; // the biases stay zero, as the constructor above left them
        }

        Span<float> biases = Biases.Value.AsSpan();
        for (int i = 0; i < biases.Length; i++)
        {
            biases[i] = (float)random.NextGaussian();
        }
    }

    /// <summary>Number of inputs per sample.</summary>
    public int InputSize { get; }

    /// <summary>Number of outputs (neurons) per sample.</summary>
    public int OutputSize { get; }

    /// <summary>W, [inputSize x outputSize]: <c>W[i, j]</c> weighs input i into neuron j.</summary>
    public Parameter Weights { get; }

    /// <summary>b, [outputSize]: one bias per neuron.</summary>
    public Parameter Biases { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input does not have <see cref="InputSize"/> columns.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Columns != InputSize)
        {
            throw new ArgumentException($"{this}: input {input.Describe()} must have {InputSize} columns to multiply {Weights.Value.Describe()}.", nameof(input));
        }

        int batchSize = input.Rows;
        _input = input; // cache the input for the backward pass
        Tensor output = Reuse(ref _output, batchSize, OutputSize, "Z");

        // Z = A·W  (tutorial "Combining Neurons into a Neural Network": sum_h1 = w1*x[0] + w2*x[1] + b1, for every neuron and sample)
        Kernels.MatMul(input.AsSpan(), Weights.Value.AsSpan(), output.AsSpan(), batchSize, InputSize, OutputSize);
        // Z += b, the same bias row added to every sample
        Kernels.AddBias(output.AsSpan(), Biases.Value.AsSpan(), batchSize);
        return output;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The parameter gradients are added into (or, right after <see cref="Parameter.ZeroGrad"/>, written
    /// to) <see cref="Weights"/> and <see cref="Biases"/> through <see cref="Parameter.GradientToAccumulate"/>.
    /// When <see cref="Layer.InputGradientNeeded"/> is false (the first layer while training) dA is
    /// skipped, a third of the work, and the result is null.
    /// </remarks>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor? Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor input = _input!;
        int batchSize = input.Rows;

        // dW += Aᵀ·dZ   (tutorial: d_L_d_w1 = d_L_d_ypred * ... * x[0]; the input times the gradient at the neuron, summed over the batch)
        // (accumulate is false right after ZeroGrad: the kernel then writes the sum instead of adding it)
        Tensor dWeights = Weights.GradientToAccumulate(out bool accumulate);
        Kernels.MatMulTransposeA(input.AsSpan(), dOutput.AsSpan(), dWeights.AsSpan(), InputSize, batchSize, OutputSize, accumulate);
        // db += Σ_rows dZ   (tutorial: d_h1_d_b1 = deriv_sigmoid(sum_h1), i.e. dZ/db = 1)
        Tensor dBiases = Biases.GradientToAccumulate(out accumulate);
        Kernels.SumColumns(dOutput.AsSpan(), dBiases.AsSpan(), batchSize, accumulate);

        if (!InputGradientNeeded)
        {
            return null; // the first layer: its input is the data, which needs no gradient
        }

        // dA = dZ·Wᵀ    (tutorial: d_ypred_d_h1 = w5 * deriv_sigmoid(sum_o1); each input feeds every neuron through its weight)
        Tensor dInput = Reuse(ref _dInput, batchSize, InputSize, "dA");
        Kernels.MatMulTransposeB(dOutput.AsSpan(), Weights.Value.AsSpan(), dInput.AsSpan(), batchSize, OutputSize, InputSize);
        return dInput;
    }

    /// <inheritdoc/>
    public override int GetOutputSize(int inputSize) => inputSize == InputSize
        ? OutputSize
        : throw new ArgumentException($"{this}: an input of {inputSize} values per sample does not fit {Weights.Value.Describe()}.", nameof(inputSize));

    /// <inheritdoc/>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize)
    {
        // Z = A·W + b, exactly as in Forward, with nothing cached.
        Kernels.MatMul(input, Weights.Value.AsSpan(), output, batchSize, InputSize, OutputSize);
        Kernels.AddBias(output, Biases.Value.AsSpan(), batchSize);
    }

    /// <inheritdoc/>
    public override string Kind => "Dense";

    /// <summary>
    /// Rebuilds a Dense from its model-file record (the built-in kind <c>Dense</c>), with zero weights the loader then
    /// fills: the sizes come from the shape of W in the file, so no number but the bytes present decides what it allocates.
    /// </summary>
    internal static Dense FromRecord(LayerRecord record)
    {
        ParameterShape weights = record.GetParameterShape(0); // W is [inputSize x outputSize]; b is checked by the loader
        return new Dense(weights.Rows, weights.Columns, record.Name);
    }

    /// <inheritdoc/>
    public override string Formula => "Z = A·W + b";

    /// <inheritdoc/>
    public override int? FixedInputSize => InputSize;

    /// <inheritdoc/>
    public override string ToString() => $"{base.ToString()} {InputSize} -> {OutputSize}";
}
