// Trainer: the training loop, written once so that samples do not have to. Every epoch shuffles
// the sample order with the caller's seed (or keeps it, as the tutorial does), cuts it into
// mini-batches, and for each batch runs the five lines of every training step: forward, loss, zero
// grad, backward, step. It reuses its batch buffers. Past the tutorial (each off unless TrainingOptions
// asks): a learn-rate schedule set before every step, gradient-norm clipping between backward and
// step, max-norm after it, and early stopping on the evaluation (validation) data, which restores the
// best epoch's weights. It does not evaluate inside an epoch.
using System.Diagnostics;
using System.Globalization;

namespace MnistBp;

/// <summary>Trains a <see cref="Sequential"/> model with a loss and an optimizer by mini-batch gradient descent.</summary>
[DebuggerDisplay("{MnistBp.DebuggerText.Of(this),nq}")]
public sealed class Trainer
{
    private Tensor? _inputs;   // the current mini-batch, reused while the batch size stays the same
    private Tensor? _targets;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="loss">The loss to minimise, such as <see cref="QuadraticCost"/>.</param>
    /// <param name="optimizer">The optimizer over the model's parameters, such as <see cref="Sgd"/>.</param>
    /// <exception cref="ArgumentException">The optimizer's parameters are not the model's, in order (the message says which differs).</exception>
    public Trainer(Sequential model, Loss loss, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        RequireOptimizerOverModel(nameof(optimizer));
    }

    private int _checkedVersion; // the model's Version when its parameters were last checked against the optimizer's

    /// <summary>The model being trained.</summary>
    public Sequential Model { get; }

    /// <summary>The loss being minimised.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer that updates the model's parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>One training step on one mini-batch: forward, loss, zero grad, backward, step.</summary>
    /// <remarks>
    /// The loss is checked before backward and the update: when it is NaN or infinite the step stops there with a
    /// <see cref="TrainingDivergedException"/> and the weights stay as they were. A NaN in <paramref name="inputs"/>,
    /// or a NaN or Inf in <paramref name="targets"/>, makes the loss NaN, so it is caught at this step. A NaN that
    /// appears only in a gradient (the loss finite) is applied by this step's update and shows in the next step's
    /// loss; an infinite input can do that, since it saturates a sigmoid (a finite loss) but makes its weight's
    /// gradient infinite. Checking the loss costs one float comparison per step; gradients and weights are not scanned.
    /// When the loss has a <see cref="Loss.TargetRange"/>, the targets are checked against it first, one pass over them
    /// (what Fit does once for the whole dataset): a target outside it, ±Inf included, is an <see cref="ArgumentException"/>
    /// before anything runs; a NaN target is not outside any range and is caught by the loss check above.
    /// </remarks>
    /// <param name="inputs">The batch's inputs, [batchSize x inputSize].</param>
    /// <param name="targets">The batch's targets, [batchSize x outputSize].</param>
    /// <returns>The loss on this batch, before the update; always finite.</returns>
    /// <exception cref="InvalidOperationException">
    /// A layer was added to the model after the optimizer was made, so the optimizer would not update it; or the model has no layers.
    /// </exception>
    /// <exception cref="TrainingDivergedException">
    /// The loss of this batch is NaN or infinite; the update was not applied. The message says what was found (a
    /// non-finite input or target, with its sample and feature, or weights that are already non-finite) and the
    /// optimizer's settings; <see cref="TrainingDivergedException.Epoch"/> and <see cref="TrainingDivergedException.Batch"/> are null.
    /// </exception>
    /// <exception cref="ArgumentException">A target is outside the loss's <see cref="Loss.TargetRange"/>; the message names its index and value.</exception>
    /// <exception cref="InvalidOperationException">The loss's TargetRange has a minimum above its maximum.</exception>
    public float Step(Tensor inputs, Tensor targets)
    {
        RequireTargetsInRange(targets);
        return StepCore(inputs, targets, clipNorm: null, maxNorm: null);
    }

    /// <summary>
    /// One training step with the options' <see cref="TrainingOptions.GradientClipNorm"/> and
    /// <see cref="TrainingOptions.MaxNorm"/>: forward, loss, zero grad, backward, clip, step, max-norm. The other options
    /// (epochs, batch size, shuffling) are <see cref="Fit"/>'s and are not used here; options that set a schedule,
    /// early stopping or an augmentation, which only Fit applies, are refused rather than ignored. Allocates nothing once warm.
    /// </summary>
    /// <param name="inputs">The batch's inputs, [batchSize x inputSize].</param>
    /// <param name="targets">The batch's targets, [batchSize x outputSize].</param>
    /// <param name="options">Where the clipping and max-norm settings come from (validated).</param>
    /// <returns>The loss on this batch, before the update; always finite.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="options"/> sets Schedule, EarlyStoppingPatience or Augmentation, or a target is outside the loss's
    /// <see cref="Loss.TargetRange"/>; the message names which.
    /// </exception>
    /// <exception cref="InvalidOperationException">As <see cref="Step(Tensor, Tensor)"/>.</exception>
    /// <exception cref="TrainingDivergedException">As <see cref="Step(Tensor, Tensor)"/>.</exception>
    public float Step(Tensor inputs, Tensor targets, TrainingOptions options)
    {
        RequireTargetsInRange(targets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string? fitOnly = options.Schedule is not null ? $"Schedule ({options.Schedule})"
            : options.EarlyStoppingPatience is not null ? "EarlyStoppingPatience"
            : options.Augmentation is not null ? $"Augmentation ({options.Augmentation})"
            : null;
        if (fitOnly is not null)
        {
            throw new ArgumentException(
                $"Trainer.Step uses only the options' GradientClipNorm and MaxNorm, but they set {fitOnly}, which only Fit applies. " +
                "Call Fit, or leave it null for Step (for a rate of your own between steps, call Optimizer.SetLearnRate).", nameof(options));
        }

        return StepCore(inputs, targets, options.GradientClipNorm, options.MaxNorm);
    }

    /// <summary>
    /// Throws unless every target is in the loss's <see cref="Loss.TargetRange"/> (when it has one): what Fit checks over the
    /// whole dataset before training, checked here per batch for Step called on its own (one pass over the targets).
    /// </summary>
    private void RequireTargetsInRange(Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (Loss.CheckedTargetRange() is not { } range)
        {
            return;
        }

        int index = Kernels.FirstOutside(targets.AsSpan(), range.Minimum, range.Maximum);
        if (index >= 0)
        {
            string at = targets.Rank == 1
                ? index.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{index / targets.Columns}, {index % targets.Columns}");
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Trainer.Step: targets[{at}] is {targets.AsSpan()[index]}, outside [{range.Minimum}, {range.Maximum}], the TargetRange of {Loss}."),
                nameof(targets));
        }
    }

    private float StepCore(Tensor inputs, Tensor targets, float? clipNorm, float? maxNorm)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (Model.Version != _checkedVersion)
        {
            RequireOptimizerOverModel(paramName: null);
        }

        Tensor predicted = Model.Forward(inputs);                       // forward: every layer, first to last
        float loss = Loss.Forward(predicted, targets);                  // loss: how far off the batch is
        if (!float.IsFinite(loss))                                      // one check: stop before the bad step changes anything
        {
            ThrowDiverged(loss, inputs, targets);
        }

        Model.ZeroGrad();                                               // zero grad: forget the last batch's gradients
        Tensor dPredicted = Loss.Backward(predicted, targets);          // dLoss/dPredicted: where back-propagation starts
        Model.Backward(dPredicted, computeInputGradient: false);        // backward: every layer, last to first (no gradient for the data itself)
        if (clipNorm is float clip)
        {
            ClipGradients(clip);                                        // clip: the global gradient norm at most clip
        }

        Optimizer.Step();                                               // step: the only place weights change
        if (maxNorm is float bound)
        {
            ApplyMaxNorm(bound);                                        // max-norm: every unit's incoming weights at most bound long
        }

        return loss;
    }

    /// <summary>
    /// Gradient-norm clipping (torch.nn.utils.clip_grad_norm_): when <c>‖g‖ = sqrt(Σ_p Σ_i dP[i]²)</c> over every
    /// parameter is above <paramref name="clip"/>, scales every gradient by <c>clip / (‖g‖ + 1e-6)</c>.
    /// </summary>
    private void ClipGradients(float clip)
    {
        IReadOnlyList<Parameter> parameters = Optimizer.Parameters;
        double sumOfSquares = 0;
        for (int p = 0; p < parameters.Count; p++)
        {
            // ‖g‖² = Σ_p Σ_i dP[i]²
            sumOfSquares += Kernels.SumOfSquares(parameters[p].Gradient.AsSpan());
        }

        // ‖g‖ = sqrt(‖g‖²)
        double norm = Math.Sqrt(sumOfSquares);
        if (norm > clip && double.IsFinite(norm))
        {
            // dP *= clip / (‖g‖ + 1e-6)
            float factor = (float)(clip / (norm + 1e-6));
            for (int p = 0; p < parameters.Count; p++)
            {
                Kernels.Scale(factor, parameters[p].Gradient.AsSpan());
            }
        }
    }

    private float[] _columnNorms = [];

    /// <summary>
    /// Max-norm (Srivastava et al. 2014): every column c of every rank-2 weight parameter W [inputSize x outputSize],
    /// the incoming weights of one unit, rescaled so that <c>‖W[:, c]‖ ≤ bound</c>; biases and rank-1 parameters untouched.
    /// </summary>
    private void ApplyMaxNorm(float bound)
    {
        IReadOnlyList<Parameter> parameters = Optimizer.Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            Tensor weights = parameters[p].Value;
            if (parameters[p].Role != ParameterRole.Weights || weights.Rank != 2)
            {
                continue;
            }

            if (_columnNorms.Length < weights.Columns)
            {
                _columnNorms = new float[weights.Columns]; // once per size: the next steps reuse it
            }

            Span<float> factors = _columnNorms.AsSpan(0, weights.Columns);
            // ‖W[:, c]‖² = Σ_r W[r, c]²
            Kernels.ColumnSquaredNorms(weights.AsSpan(), weights.Rows, weights.Columns, factors);
            bool anyTooLong = false;
            for (int c = 0; c < factors.Length; c++)
            {
                float norm = MathF.Sqrt(factors[c]);
                // W[:, c] *= bound / ‖W[:, c]‖ when ‖W[:, c]‖ > bound, else 1
                factors[c] = norm > bound ? bound / norm : 1f;
                anyTooLong |= norm > bound;
            }

            if (anyTooLong) // scaling every column by 1 changes no bit: skip the pass over W
            {
                Kernels.ScaleColumns(weights.AsSpan(), weights.Rows, weights.Columns, factors);
            }
        }
    }

    /// <summary>Where the batch Fit is stepping on comes from, for the message when its loss is not finite; default outside Fit.</summary>
    /// <param name="Epoch">The epoch, counting from 1 (0 outside Fit).</param>
    /// <param name="Batch">The batch within the epoch, counting from 1.</param>
    /// <param name="BatchCount">Batches per epoch.</param>
    /// <param name="Data">The training data.</param>
    /// <param name="Order">The epoch's sample order.</param>
    /// <param name="First">The position in <paramref name="Order"/> of the batch's first sample.</param>
    /// <param name="BatchSize">The options' batch size (the last batch may be smaller).</param>
    private readonly record struct BatchOrigin(int Epoch, int Batch, int BatchCount, Dataset? Data, int[]? Order, int First, int BatchSize);

    private BatchOrigin _origin; // set by Fit around each Step; read only after a bad loss

    /// <summary>Only after a non-finite loss: looks at the batch and the weights to say why, and throws.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowDiverged(float loss, Tensor inputs, Tensor targets)
    {
        (int epoch, int batch, int batchCount, Dataset? data, int[]? order, int first, int batchSize) = _origin;
        ReadOnlySpan<int> samples = order is null ? default : order.AsSpan(first, Math.Min(batchSize, order.Length - first));
        ReadOnlySpan<int> previousSamples = order is null || first == 0 ? default : order.AsSpan(first - batchSize, batchSize);
        string value = TrainingDivergedException.Describe(loss);
        float? learnRate = Optimizer.ReportedLearnRate;
        string rate = learnRate is float r ? TrainingDivergedException.Describe(r) : null!;
        string? badWeight = FirstNonFinite(Model.Parameters);
        string cause;
        if (FirstNonFinite(inputs, samples) is string badInput)
        {
            cause = $"the batch's inputs hold {badInput}. One non-finite value in the data makes the whole batch's loss NaN; " +
                "find and fix that value in the training data (training never gets past it).";
        }
        else if (FirstNonFinite(targets, samples) is string badTarget)
        {
            cause = $"the batch's targets hold {badTarget}. A NaN or Inf target makes the loss NaN; fix that value in the training data.";
        }
        else if (badWeight is not null && data is not null && !previousSamples.IsEmpty && FirstNonFinite(data, previousSamples) is string badBefore)
        {
            cause = $"the inputs and targets are finite, but the weights are not: {badWeight}. The previous batch ({batch - 1}) holds {badBefore}: " +
                "an infinite input can still give a finite loss (the sigmoids saturate) but makes the gradient infinite, and that step's update " +
                "wrote NaN or Inf into the weights; find and fix that value in the training data.";
        }
        else if (badWeight is not null)
        {
            cause = $"the inputs and targets are finite, but the weights are not: {badWeight}. The previous step's loss was finite but its " +
                "gradient was not, and its update wrote NaN or Inf into the weights" +
                (learnRate is null ? "." : $"; with a learn rate of {rate} the steps are probably too large, try a smaller one.");
        }
        else
        {
            cause = "the inputs, targets and weights are all finite, so the model's outputs or the loss overflowed float" +
                (learnRate is null ? "." : $"; a learn rate of {rate} is probably too large, try a smaller one.");
        }

        string where = epoch == 0
            ? "Training step stopped"
            : $"Training stopped at epoch {epoch}, batch {batch} of {batchCount}";
        string state = badWeight is null
            ? "The model keeps the weights of the previous step: this batch's update was not applied."
            : "This batch's update was not applied, but the model's weights were already non-finite before it: retrain from a fresh model.";
        string message = $"{where}: the loss of the batch is {value}, not a finite number. Cause: {cause} Optimizer: {Optimizer}. {state}";
        throw new TrainingDivergedException(
            message,
            epoch == 0 ? null : epoch,
            epoch == 0 ? null : batch,
            loss,
            learnRate,
            Optimizer.ToString() ?? "",
            cause,
            weightsFinite: badWeight is null);
    }

    /// <summary>Where the first NaN or Inf of a batch is, like <c>NaN at row 3 (training sample 1234), column 5</c>; null when all are finite.</summary>
    private static string? FirstNonFinite(Tensor batch, ReadOnlySpan<int> samples)
    {
        ReadOnlySpan<float> values = batch.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                int row = i / batch.Columns, column = i % batch.Columns;
                string sample = row < samples.Length ? $"training sample {samples[row]} (row {row} of the batch)" : $"row {row} of the batch";
                return $"{TrainingDivergedException.Describe(values[i])} in {sample}, column {column}";
            }
        }

        return null;
    }

    /// <summary>Where the first NaN or Inf of some samples of <paramref name="data"/> is (inputs, then targets); null when all are finite.</summary>
    private static string? FirstNonFinite(Dataset data, ReadOnlySpan<int> samples)
    {
        var inputs = new Tensor(samples.Length, data.FeatureCount);
        var targets = new Tensor(samples.Length, data.TargetCount);
        data.FillBatch(samples, inputs, targets);
        return FirstNonFinite(inputs, samples) is string input ? $"{input} of its inputs"
            : FirstNonFinite(targets, samples) is string target ? $"{target} of its targets" : null;
    }

    /// <summary>The first parameter holding NaN or Inf, like <c>'hidden.weights' holds NaN at index 17</c>; null when all are finite.</summary>
    private static string? FirstNonFinite(IReadOnlyList<Parameter> parameters)
    {
        for (int p = 0; p < parameters.Count; p++)
        {
            ReadOnlySpan<float> values = parameters[p].Value.AsSpan();
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    return $"'{parameters[p].Name}' holds {TrainingDivergedException.Describe(values[i])} at index {i}";
                }
            }
        }

        return null;
    }

    /// <summary>Throws unless the optimizer updates exactly the model's parameters, in order.</summary>
    /// <param name="paramName">The constructor's parameter to blame, or null after construction (then the model changed).</param>
    private void RequireOptimizerOverModel(string? paramName)
    {
        IReadOnlyList<Parameter> model = Model.Parameters, optimizer = Optimizer.Parameters;
        for (int i = 0; i < Math.Max(model.Count, optimizer.Count); i++)
        {
            Parameter? expected = i < model.Count ? model[i] : null, actual = i < optimizer.Count ? optimizer[i] : null;
            if (!ReferenceEquals(expected, actual))
            {
                // Two models built alike have parameters of the same names: then say that they are other objects.
                string sameName = expected is not null && actual is not null && expected.Name == actual.Name
                    ? " (the same name, but another Parameter object: the optimizer was made from another model's Parameters, such as a copy built alike)"
                    : "";
                string problem = $"the optimizer's parameters are not the model's: at index {i} the model has " +
                    $"{(expected is null ? "no parameter" : $"'{expected.Name}'")} and the optimizer {(actual is null ? "none" : $"'{actual.Name}'")}{sameName} " +
                    $"(model: {model.Count} parameters, optimizer: {optimizer.Count}). Create the optimizer from this model's Parameters after adding every layer.";
                throw paramName is null
                    ? new InvalidOperationException($"The model changed after the trainer was made: {problem}")
                    : new ArgumentException($"The optimizer does not fit the model: {problem}", paramName);
            }
        }

        _checkedVersion = Model.Version;
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs and, after each, evaluates on
    /// <paramref name="evaluationData"/> when one is given.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every step checks its batch's loss (one float comparison, as <see cref="Step(Tensor, Tensor)"/> does): a NaN in the training
    /// inputs, a NaN or Inf in the targets, or a loss that overflows, stops training at that batch with a
    /// <see cref="TrainingDivergedException"/> naming the epoch, the batch, the sample, the value and the optimizer's
    /// settings; that batch's update is not applied. A NaN that appears only in a gradient (as an infinite input's
    /// can) shows in the next step's loss, whose message then names the bad value of the batch before (or, after an
    /// epoch's last step, in <see cref="Evaluation.NonFiniteCount"/> and the diagnosis).
    /// </para>
    /// <para>
    /// After every epoch, <see cref="EpochResult.Diagnosis"/> names a saturated network (every evaluation sample in one
    /// class, or 99% of them in a class at most half of them have; the loss flat), a diverging one (the mean loss growing) or non-finite outputs, with this run's numbers;
    /// it is null when the epoch looks healthy. It is computed once per epoch from the losses and the evaluation.
    /// </para>
    /// <para>
    /// Past the tutorial, each off unless <paramref name="options"/> asks: <see cref="TrainingOptions.Schedule"/> sets the
    /// optimizer's rate before every step (the rate Fit starts with is the base rate, set back when Fit returns);
    /// <see cref="TrainingOptions.GradientClipNorm"/> clips the gradients between backward and step;
    /// <see cref="TrainingOptions.MaxNorm"/> bounds every unit's incoming weights after the step;
    /// <see cref="TrainingOptions.EarlyStoppingPatience"/> stops on the evaluation (validation) data and gives the model
    /// back the best epoch's weights (<see cref="TrainingHistory.BestEpoch"/>). None of them allocates per step.
    /// </para>
    /// <para>
    /// Concurrency: Fit is not thread safe and changes the weights in place, step by step. A
    /// <see cref="Sequential.Predict(ReadOnlySpan{float}, Span{float}, int)"/> on the same model from another thread
    /// during Fit runs (the built-in layers cache nothing for it) but reads weights mid-update, possibly half of one
    /// step and half of the next, so its outputs match no single step. With a layer that keeps Layer's default Predict
    /// (which runs its Forward), such a Predict landing between a step's Forward and Backward makes Fit throw an
    /// InvalidOperationException naming the layer rather than train on a wrong gradient. To serve a model while training goes on,
    /// predict with a copy taken between epochs (in <paramref name="epochProgress"/>, which runs on the training
    /// thread): see <see cref="ModelFile"/>.
    /// </para>
    /// </remarks>
    /// <param name="trainingData">
    /// The samples to learn from, with class labels or float targets; its <see cref="Dataset.TargetCount"/>
    /// (the one-hot width for labels) must be the model's output width.
    /// </param>
    /// <param name="options">Epochs, batch size, and whether and how to shuffle.</param>
    /// <param name="evaluationData">
    /// Data to measure the model on after every epoch, or null: with class labels, its accuracy
    /// (<see cref="EpochResult.Evaluation"/>); with float targets, the mean of <see cref="Loss"/>
    /// (<see cref="EpochResult.EvaluationLoss"/>). Checked against the model before the first epoch.
    /// </param>
    /// <param name="epochProgress">Receives one <see cref="EpochResult"/> per epoch; called on the training thread.</param>
    /// <param name="batchProgress">Receives a <see cref="BatchProgress"/> after every mini-batch; called on the training thread, so keep it cheap.</param>
    /// <param name="cancellationToken">Checked before every mini-batch.</param>
    /// <returns>One result per finished epoch, with the best epoch and whether the run stopped early.</returns>
    /// <exception cref="ArgumentException">
    /// Early stopping is on without evaluation data, the training or evaluation data does not fit the model (the message names the data and the
    /// sizes), or a target is outside the loss's <see cref="Loss.TargetRange"/> (the message names the sample). All are checked before any
    /// training, so the weights are unchanged.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range, or a run with a schedule has more steps than an int counts.</exception>
    /// <exception cref="InvalidOperationException">
    /// The model has no layers (checked before anything runs), or a layer was added after the optimizer was made; or a
    /// schedule is set and the optimizer has no settable learn rate, or the schedule gives a rate that is not positive and
    /// finite at some step (both checked before anything runs; the message names the schedule, the step and the epoch).
    /// </exception>
    /// <exception cref="TrainingDivergedException">
    /// A batch's loss was NaN or infinite; the model keeps the updates of the steps before it (the message says
    /// whether its weights are finite). The epochs finished before it were reported to <paramref name="epochProgress"/>.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested; the model keeps the updates made so far.</exception>
    public TrainingHistory Fit(
        Dataset trainingData,
        TrainingOptions options,
        Dataset? evaluationData = null,
        IProgress<EpochResult>? epochProgress = null,
        IProgress<BatchProgress>? batchProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (Model.Layers.Count == 0)
        {
            throw new InvalidOperationException("The model has no layers, so there is nothing to train: add layers (input side first) before Fit.");
        }

        if (trainingData.Count == 0)
        {
            throw new ArgumentException("The training data has no samples.", nameof(trainingData));
        }

        // Now, not after the first epoch: by then a mismatch would have cost an epoch and changed the weights.
        trainingData.RequireFits(Model, nameof(trainingData));
        evaluationData?.RequireFits(Model, nameof(evaluationData));
        if (Loss.CheckedTargetRange() is { } targetRange)
        {
            trainingData.RequireTargetsIn(targetRange, Loss, nameof(trainingData)); // a bad target stops the run here, not halfway
            evaluationData?.RequireTargetsIn(targetRange, Loss, nameof(evaluationData));
        }

        if (options.EarlyStoppingPatience is not null && evaluationData is not { Count: > 0 })
        {
            throw new ArgumentException(
                "TrainingOptions.EarlyStoppingPatience is set, but there is no evaluation data to stop on: pass the validation set " +
                "(such as Slice(50000, 10000) of MNIST's training set) as evaluationData, or leave EarlyStoppingPatience null.", nameof(evaluationData));
        }

        float? baseRate = Optimizer.ReportedLearnRate;
        if (options.Schedule is not null && baseRate is null)
        {
            throw new InvalidOperationException(
                $"TrainingOptions.Schedule is {options.Schedule}, but the optimizer {Optimizer} reports no learn rate to schedule " +
                "(its ReportedLearnRate is null): use a built-in optimizer, override ReportedLearnRate and SetLearnRate in yours, or leave Schedule null.");
        }

        if (options.Schedule is not null)
        {
            try
            {
                Optimizer.SetLearnRate(baseRate!.Value); // before any step: an optimizer that cannot take a rate fails here
            }
            catch (NotSupportedException e)
            {
                throw new InvalidOperationException(
                    $"TrainingOptions.Schedule is {options.Schedule}, but the optimizer {Optimizer} reports a learn rate it cannot set: override SetLearnRate too, or leave Schedule null.", e);
            }

            RequireScheduleRates(options.Schedule, baseRate!.Value, trainingData.Count, options);
        }

        try
        {
            return FitEpochs(trainingData, options, evaluationData, epochProgress, batchProgress, baseRate, cancellationToken);
        }
        finally
        {
            if (options.Schedule is not null)
            {
                Optimizer.SetLearnRate(baseRate!.Value); // the schedule scaled this rate; the next Fit starts from it again
            }
        }
    }

    private TrainingHistory FitEpochs(
        Dataset trainingData,
        TrainingOptions options,
        Dataset? evaluationData,
        IProgress<EpochResult>? epochProgress,
        IProgress<BatchProgress>? batchProgress,
        float? baseRate,
        CancellationToken cancellationToken)
    {
        var random = new DeterministicRandom(options.ShuffleSeed);
        var augmentationRandom = new DeterministicRandom(options.AugmentationSeed);
        int batchCount = BatchCount(trainingData.Count, options.BatchSize);
        int[] order = new int[trainingData.Count];
        var results = new List<EpochResult>(Math.Min(options.Epochs, 1024)); // not Epochs itself: it may be int.MaxValue
        int totalSteps = batchCount * options.Epochs;
        float[][]? bestWeights = options.EarlyStoppingPatience is null ? null : NewWeightCopies();
        int? bestEpoch = null;
        double bestScore = double.NaN;
        bool stoppedEarly = false;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            if (options.Shuffle)
            {
                random.Shuffle(order);
            }

            double lossSum = 0;
            for (int first = 0; first < order.Length; first += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ReadOnlySpan<int> batch = order.AsSpan(first, Math.Min(options.BatchSize, order.Length - first));
                (Tensor inputs, Tensor targets) = BatchBuffers(batch.Length, trainingData);
                trainingData.FillBatch(batch, inputs, targets);
                options.Augmentation?.Apply(inputs, augmentationRandom);      // new, slightly changed copies of the inputs every epoch
                _origin = new BatchOrigin(epoch, (first / options.BatchSize) + 1, batchCount, trainingData, order, first, options.BatchSize);
                if (options.Schedule is LearnRateSchedule schedule)
                {
                    int step = ((epoch - 1) * batchCount) + (first / options.BatchSize);
                    float rate = schedule.RateAt(baseRate!.Value, step, batchCount, totalSteps);
                    if (!(rate > 0f) || !float.IsFinite(rate))
                    {
                        ThrowBadRate(schedule, rate, step, baseRate.Value, batchCount); // a schedule whose Validate missed it, or that answers differently now
                    }

                    Optimizer.SetLearnRate(rate);                             // the schedule's rate for this step
                }

                try
                {
                    lossSum += (double)StepCore(inputs, targets, options.GradientClipNorm, options.MaxNorm) * batch.Length;
                }
                finally
                {
                    _origin = default; // a Step called directly later knows no epoch
                }

                batchProgress?.Report(new BatchProgress(epoch, first + batch.Length, order.Length));
            }

            TimeSpan duration = Stopwatch.GetElapsedTime(start);
            // Once per epoch, not per step: a last step whose loss was finite but whose gradient was not
            // (an infinite input into a saturated sigmoid) left NaN weights that no later loss will show.
            if (FirstNonFinite(Model.Parameters) is string badWeight)
            {
                float? rate = Optimizer.ReportedLearnRate;
                string cause = $"the weights are not finite after the epoch's last update: {badWeight}. That step's loss was finite, but its gradient was not " +
                    "(an infinite input, or steps too large for the learn rate" + (rate is float r ? $" of {TrainingDivergedException.Describe(r)}" : "") + ").";
                throw new TrainingDivergedException(
                    $"Training stopped after epoch {epoch}: {cause} Optimizer: {Optimizer}. The model holds those non-finite weights: retrain from a fresh model.",
                    epoch, batchCount, float.NaN, rate, Optimizer.ToString() ?? "", cause, weightsFinite: false);
            }

            Evaluation? evaluation = evaluationData is { HasLabels: true } ? Evaluation.Of(Model, evaluationData, cancellationToken: cancellationToken) : null;
            double? evaluationLoss = evaluationData is { HasLabels: false } ? MeanLoss(evaluationData, cancellationToken) : null;
            double meanLoss = lossSum / order.Length;
            TrainingDiagnosis? diagnosis = TrainingDiagnosis.Of(results, meanLoss, evaluation, evaluationData is { Count: > 0 } ? evaluationLoss : null, Model, Optimizer, Loss); // once per epoch, from what is at hand
            // The validation score: accuracy (higher is better) with labels, the loss (lower is better) with float targets.
            double score = evaluation is not null ? evaluation.Accuracy : evaluationLoss is double l ? -l : double.NaN;
            bool improved = evaluationData is { Count: > 0 } && double.IsFinite(score) && (bestEpoch is null || score > bestScore);
            if (improved)
            {
                (bestEpoch, bestScore) = (epoch, score);
                CopyWeights(bestWeights, toModel: false); // only on improvement, never per step
            }

            var result = new EpochResult(epoch, options.Epochs, meanLoss, duration, evaluation, evaluationLoss, diagnosis, Optimizer.ReportedLearnRate, bestEpoch);
            results.Add(result);
            epochProgress?.Report(result);
            if (options.EarlyStoppingPatience is int patience && epoch < options.Epochs && epoch - (bestEpoch ?? 0) >= patience)
            {
                stoppedEarly = true;
                break;
            }
        }

        bool restore = bestWeights is not null && bestEpoch is int best && best != results.Count;
        if (restore)
        {
            CopyWeights(bestWeights, toModel: true);
        }

        return new TrainingHistory(results, stoppedEarly, restore);
    }

    /// <summary>One float array per parameter, as long as it, to keep the best epoch's weights in.</summary>
    private float[][] NewWeightCopies()
    {
        var copies = new float[Optimizer.Parameters.Count][];
        for (int p = 0; p < copies.Length; p++)
        {
            copies[p] = new float[Optimizer.Parameters[p].Value.Length];
        }

        return copies;
    }

    /// <summary>Copies every parameter's values into <paramref name="copies"/>, or back into the model when <paramref name="toModel"/>.</summary>
    private void CopyWeights(float[][]? copies, bool toModel)
    {
        if (copies is null)
        {
            return;
        }

        for (int p = 0; p < copies.Length; p++)
        {
            Span<float> values = Optimizer.Parameters[p].Value.AsSpan();
            if (toModel)
            {
                copies[p].CopyTo(values);
            }
            else
            {
                values.CopyTo(copies[p]);
            }
        }
    }

    /// <summary>
    /// Lets the schedule check every step's rate of the run before the first one (<see cref="LearnRateSchedule.Validate"/>),
    /// so that a rate that is not positive and finite (a decay that underflows to 0 by epoch 30, say) stops Fit before any
    /// weight has changed.
    /// </summary>
    private static void RequireScheduleRates(LearnRateSchedule schedule, float baseRate, int sampleCount, TrainingOptions options)
    {
        int batchCount = BatchCount(sampleCount, options.BatchSize);
        long totalSteps = (long)batchCount * options.Epochs;
        if (totalSteps > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"TrainingOptions.Epochs is {options.Epochs}: with {batchCount} batches per epoch the run has {totalSteps} steps, more than a schedule counts ({int.MaxValue}). Give fewer epochs."));
        }

        schedule.Validate(baseRate, batchCount, (int)totalSteps);
    }

    /// <summary>The mini-batches of an epoch: ⌈samples / batchSize⌉, the last one short when they do not divide.</summary>
    private static int BatchCount(int samples, int batchSize) => (samples + batchSize - 1) / batchSize;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowBadRate(LearnRateSchedule schedule, float rate, int step, float baseRate, int stepsPerEpoch) =>
        throw LearnRateSchedule.BadRate(schedule, rate, step, baseRate, stepsPerEpoch, beforeTraining: false);

    private (Tensor Inputs, Tensor Targets) BatchBuffers(int batchSize, Dataset data)
    {
        if (_inputs is null || _inputs.Rows != batchSize || _inputs.Columns != data.FeatureCount || _targets!.Columns != data.TargetCount)
        {
            _inputs = new Tensor(batchSize, data.FeatureCount, "batch inputs");
            _targets = new Tensor(batchSize, data.TargetCount, "batch targets");
        }

        return (_inputs, _targets!);
    }

    /// <summary>
    /// <see cref="Loss"/> of the model's <see cref="Sequential.Predict(ReadOnlySpan{float}, Span{float}, int)"/>
    /// outputs against the float targets of <paramref name="data"/>, in batches of up to 1000 samples, each
    /// batch's loss weighted by its size (as the training loss is): the mean over the samples. NaN for no samples.
    /// </summary>
    private double MeanLoss(Dataset data, CancellationToken cancellationToken)
    {
        const int BatchSize = 1000;
        Tensor? predicted = null, targets = null;
        float[] scratch = data.ImagesIfBuilt is null ? new float[Math.Min(BatchSize, data.Count) * data.FeatureCount] : [];
        double lossSum = 0;
        for (int first = 0; first < data.Count; first += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(BatchSize, data.Count - first);
            if (predicted is null || predicted.Rows != rows)
            {
                predicted = new Tensor(rows, data.TargetCount, "prediction");
                targets = new Tensor(rows, data.TargetCount, "targets");
            }

            // Predict, not Forward: measuring leaves the layers' training caches alone.
            Model.Predict(data.ImageRows(first, rows, scratch), predicted.AsSpan(), rows);
            data.TargetRows(first, rows).CopyTo(targets!.AsSpan());
            lossSum += (double)Loss.Forward(predicted, targets) * rows;
        }

        return data.Count == 0 ? double.NaN : lossSum / data.Count;
    }
}
