// The allocation count every zero-allocation test uses (training steps, Predict, layers, losses, optimizers): the smallest of three
// windows, so a one-off allocation by the runtime (a JIT tier-up) cannot fail a test, but a per-call allocation fails all three.
namespace MnistBp.Tests;

internal static class Allocations
{
    /// <summary>The fewest bytes the current thread allocated in any of three windows of <paramref name="callsPerWindow"/> calls.</summary>
    public static long SmallestOfThreeWindows(Action action, int callsPerWindow)
    {
        long smallest = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerWindow; i++)
            {
                action();
            }

            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return smallest;
    }
}
