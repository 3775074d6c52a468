// Softmax: the row-wise activation p_j = e^(z_j - max z) / Σ_k e^(z_k - max z), turning each sample's
// scores into probabilities that sum to 1 (Nielsen, chapter 3, "Softmax"). Forward caches its output
// p, because the Jacobian ∂p_j/∂z_i = p_j (δ_ij - p_i) needs nothing else; Backward applies it as the
// Jacobian-vector product dz_j = p_j (dp_j - Σ_k p_k dp_k), never building the matrix. No parameters.
// For training a classifier prefer a last Dense with SoftmaxCrossEntropy, which fuses the two
// (gradient p - y, stable for any logits); this layer is for outputs that must be probabilities.
namespace MnistBp;

/// <summary>Row-wise softmax: <c>p[r, j] = exp(z[r, j]) / Σ_k exp(z[r, k])</c>, computed with the row's max subtracted.</summary>
public sealed class Softmax : Layer
{
    private Tensor? _output;  // cached by Forward: Backward needs only p
    private Tensor? _dInput;

    /// <summary>Creates a softmax layer.</summary>
    /// <param name="name">A name shown in the debugger and in error messages.</param>
    public Softmax(string name = "softmax")
        : base(name)
    {
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Reuse(ref _output, input.Rows, input.Columns, "p");
        // p_j = e^(z_j - max z) / Σ_k e^(z_k - max z), row by row, cached for the backward pass
        Kernels.Softmax(input.AsSpan(), output.AsSpan(), input.Rows, input.Columns);
        return output;
    }

    /// <inheritdoc/>
    public override string Kind => "Softmax";

    /// <inheritdoc/>
    public override (float Minimum, float Maximum)? OutputRange => (0f, 1f);

    /// <inheritdoc/>
    public override string Formula => "p_j = e^(z_j - max z) / Σ_k e^(z_k - max z)";

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">The lengths do not split into <paramref name="batchSize"/> rows, or differ.</exception>
    public override void Predict(ReadOnlySpan<float> input, Span<float> output, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (input.Length % batchSize != 0)
        {
            throw new ArgumentException($"{this} Predict: {input.Length} input values do not split into {batchSize} samples.", nameof(input));
        }

        if (output.Length != input.Length)
        {
            throw new ArgumentException($"{this} Predict: output has {output.Length} values; {batchSize} samples x {input.Length / batchSize} outputs need {input.Length}.", nameof(output));
        }

        // p_j = e^(z_j - max z) / Σ_k e^(z_k - max z), exactly as in Forward, with nothing cached
        Kernels.Softmax(input, output, batchSize, input.Length / batchSize);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Forward has not been called yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="dOutput"/> does not have the shape of the last output.</exception>
    public override Tensor Backward(Tensor dOutput)
    {
        RequireShapeOfOutput(dOutput, _output);
        Tensor output = _output!;
        Tensor dInput = Reuse(ref _dInput, output.Rows, output.Columns, "dz");
        // dz_j = p_j (dp_j - Σ_k p_k dp_k)   (the Jacobian ∂p_j/∂z_i = p_j (δ_ij - p_i) times dp)
        Kernels.SoftmaxBackward(output.AsSpan(), dOutput.AsSpan(), dInput.AsSpan(), output.Rows, output.Columns);
        return dInput;
    }
}
