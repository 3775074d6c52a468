// The allocation count every zero-allocation test uses (training steps, Predict, layers, losses, optimizers): the smallest of three
// windows, so a one-off allocation by the runtime (a JIT tier-up) cannot fail a test, but a per-call allocation fails all three.
// With more than one kernel thread the work also runs on the pool's threads, which the current thread's counter does not see:
// then the whole process is counted (GC.GetTotalAllocatedBytes), in windows of one call each, the smallest of twenty. The test
// host's own threads allocate now and then (a few hundred bytes every few milliseconds or so, seen as 168-280 B in every 20-step
// window of a batch-128 step, while the same steps in a console process allocate 0 B on every thread); a window of one call is
// mostly free of that, but an allocation made by every call, on any thread, is in all twenty.
namespace MnistBp.Tests;

internal static class Allocations
{
    /// <summary>
    /// The fewest bytes the current thread allocated in any of three windows of <paramref name="callsPerWindow"/> calls; with
    /// <paramref name="allThreads"/>, the fewest bytes the whole process allocated in any of twenty windows of one call (for kernels
    /// that split their work across threads).
    /// </summary>
    public static long SmallestOfThreeWindows(Action action, int callsPerWindow, bool allThreads = false)
    {
        int windows = allThreads ? 20 : 3, calls = allThreads ? 1 : callsPerWindow;
        long smallest = long.MaxValue;
        for (int window = 0; window < windows; window++)
        {
            long before = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            long after = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
            smallest = Math.Min(smallest, after - before);
        }

        return smallest;
    }
}
