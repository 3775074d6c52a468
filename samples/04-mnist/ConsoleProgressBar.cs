// A one-line progress bar for the training loop. It is called after every mini-batch on the
// training thread, so it redraws only when the shown percentage changes and allocates only then.
// When the output is redirected (CI logs) it draws nothing.
namespace MnistBp.Samples.Digits;

/// <summary>Draws <c>epoch 3/30 [#########-----------]  45%</c> on one console line.</summary>
public sealed class ConsoleProgressBar : IProgress<BatchProgress>
{
    private const int Width = 30;
    private readonly bool _enabled = !Console.IsOutputRedirected;
    private int _lastPercent = -1;

    /// <inheritdoc/>
    public void Report(BatchProgress value)
    {
        if (!_enabled)
        {
            return;
        }

        int percent = (int)(100L * value.SamplesDone / value.SampleCount);
        if (percent == _lastPercent)
        {
            return;
        }

        _lastPercent = percent;
        int filled = percent * Width / 100;
        Console.Write($"\repoch {value.Epoch} [{new string('#', filled)}{new string('-', Width - filled)}] {percent,3}%");
    }

    /// <summary>Erases the bar so the next line starts clean.</summary>
    public void Clear()
    {
        if (_enabled)
        {
            Console.Write('\r' + new string(' ', Width + 24) + '\r');
            _lastPercent = -1;
        }
    }
}
