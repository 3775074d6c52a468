// The allocation count every zero-allocation test uses (training steps, Predict, layers, losses, optimizers): the smallest of three
// windows of the current thread's counter, so a one-off allocation by the runtime (a JIT tier-up) cannot fail a test, but an
// allocation made every call, or every few calls, fails all three.
// With more than one kernel thread the work also runs on the pool's threads, which that counter does not see. Then the whole
// process is counted too (GC.GetTotalAllocatedBytes), in twenty windows of one call each, and the larger of the two smallest
// counts is returned. The test host's own threads allocate now and then (168-280 B showed up in every window of 20 batch-128
// steps, a window of about 0.1-0.5 s, while the same steps in a console process allocate 0 B on every thread); a window of one
// call is mostly free of that, but an allocation made by every call, on any thread, is in all twenty.
namespace MnistBp.Tests;

internal static class Allocations
{
    /// <summary>
    /// The fewest bytes the current thread allocated in any of three windows of <paramref name="callsPerWindow"/> calls; with
    /// <paramref name="allThreads"/>, the larger of that and the fewest bytes the whole process allocated in any of twenty
    /// windows of one call (for kernels that split their work across threads).
    /// </summary>
    public static long SmallestOfWindows(Action action, int callsPerWindow, bool allThreads = false)
    {
        long thisThread = Smallest(action, windows: 3, callsPerWindow, GC.GetAllocatedBytesForCurrentThread);
        return allThreads ? Math.Max(thisThread, Smallest(action, windows: 20, calls: 1, () => GC.GetTotalAllocatedBytes(precise: true))) : thisThread;
    }

    private static long Smallest(Action action, int windows, int calls, Func<long> count)
    {
        long smallest = long.MaxValue;
        for (int window = 0; window < windows; window++)
        {
            long before = count();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            smallest = Math.Min(smallest, count() - before);
        }

        return smallest;
    }
}
