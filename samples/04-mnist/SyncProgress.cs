// An IProgress that runs its callback at once on the reporting thread: Progress<T> would post it to
// the thread pool, so epoch lines could print out of order. Shared by samples 04 and 05.
namespace MnistBp.Samples.Digits;

/// <summary>An IProgress that runs its callback at once on the reporting thread (Progress&lt;T&gt; would post it elsewhere).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
