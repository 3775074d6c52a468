// Trainer: the training loop, written once so that samples do not have to. Every epoch shuffles
// the sample order with the caller's seed (or keeps it, as the tutorial does), cuts it into
// mini-batches, and for each batch runs the five lines of every training step: forward, loss, zero
// grad, backward, step. It reuses its batch buffers; it does not evaluate inside an epoch, stop
// early, or schedule learn rates.
using System.Diagnostics;

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
    /// <param name="inputs">The batch's inputs, [batchSize x inputSize].</param>
    /// <param name="targets">The batch's targets, [batchSize x outputSize].</param>
    /// <returns>The loss on this batch, before the update.</returns>
    /// <exception cref="InvalidOperationException">A layer was added to the model after the optimizer was made, so the optimizer would not update it.</exception>
    public float Step(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (Model.Version != _checkedVersion)
        {
            RequireOptimizerOverModel(paramName: null);
        }

        Tensor predicted = Model.Forward(inputs);                       // forward: every layer, first to last
        float loss = Loss.Forward(predicted, targets);                  // loss: how far off the batch is
        Model.ZeroGrad();                                               // zero grad: forget the last batch's gradients
        Tensor dPredicted = Loss.Backward(predicted, targets);          // dLoss/dPredicted: where back-propagation starts
        Model.Backward(dPredicted, computeInputGradient: false);        // backward: every layer, last to first (no gradient for the data itself)
        Optimizer.Step();                                               // step: the only place weights change
        return loss;
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
                string problem = $"the optimizer's parameters are not the model's: at index {i} the model has " +
                    $"{(expected is null ? "no parameter" : $"'{expected.Name}'")} and the optimizer {(actual is null ? "none" : $"'{actual.Name}'")} " +
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
    /// <returns>One result per finished epoch.</returns>
    /// <exception cref="ArgumentException">
    /// The training or evaluation data does not fit the model (the message names the data and the
    /// sizes). Both are checked before any training, so the weights are unchanged.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested; the model keeps the updates made so far.</exception>
    public IReadOnlyList<EpochResult> Fit(
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
        if (trainingData.Count == 0)
        {
            throw new ArgumentException("The training data has no samples.", nameof(trainingData));
        }

        // Now, not after the first epoch: by then a mismatch would have cost an epoch and changed the weights.
        trainingData.RequireFits(Model, nameof(trainingData));
        evaluationData?.RequireFits(Model, nameof(evaluationData));
        var random = new DeterministicRandom(options.ShuffleSeed);
        int[] order = new int[trainingData.Count];
        var results = new List<EpochResult>(options.Epochs);
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
                lossSum += (double)Step(inputs, targets) * batch.Length;
                batchProgress?.Report(new BatchProgress(epoch, first + batch.Length, order.Length));
            }

            TimeSpan duration = Stopwatch.GetElapsedTime(start);
            Evaluation? evaluation = evaluationData is { HasLabels: true } ? Evaluation.Of(Model, evaluationData, cancellationToken: cancellationToken) : null;
            double? evaluationLoss = evaluationData is { HasLabels: false } ? MeanLoss(evaluationData, cancellationToken) : null;
            var result = new EpochResult(epoch, options.Epochs, lossSum / order.Length, duration, evaluation, evaluationLoss);
            results.Add(result);
            epochProgress?.Report(result);
        }

        return results;
    }

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
