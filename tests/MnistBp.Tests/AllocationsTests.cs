// The allocation counter itself: the current thread's count misses what another thread allocates, the all-threads count
// sees it. This is why the two-thread allocation tests count every thread.
namespace MnistBp.Tests;

[NonParallelizable] // counts the whole process
internal sealed class AllocationsTests
{
    [Test]
    public void Only_the_all_threads_count_sees_an_allocation_on_another_thread()
    {
        using var go = new SemaphoreSlim(0);
        using var done = new SemaphoreSlim(0);
        byte[]? kept = null;
        var worker = new Thread(() =>
        {
            while (true)
            {
                go.Wait();
                if (Volatile.Read(ref kept) is { Length: 0 })
                {
                    return;
                }

                Volatile.Write(ref kept, new byte[1000]); // the allocation, on the worker thread
                done.Release();
            }
        }) { IsBackground = true };
        worker.Start();
        void OnWorker()
        {
            go.Release();
            done.Wait();
        }

        for (int i = 0; i < 10; i++)
        {
            OnWorker(); // warm: the semaphores' first waits may allocate
        }

        long thisThread = Allocations.SmallestOfWindows(OnWorker, 10);
        long everyThread = Allocations.SmallestOfWindows(OnWorker, 10, allThreads: true);
        Volatile.Write(ref kept, []);
        go.Release();
        worker.Join();

        Assert.That(thisThread, Is.Zero, "the current thread allocated nothing");
        Assert.That(everyThread, Is.GreaterThanOrEqualTo(1000), "an array of 1000 bytes on the worker in every window of one call");
    }

    [Test]
    public void Both_counts_see_an_allocation_made_every_fourth_call_on_the_current_thread()
    {
        // Windows of one call would miss it in most windows; the current thread's three windows of 10 calls do not.
        int calls = 0;
        object? kept = null;
        void EveryFourth()
        {
            if (++calls % 4 == 0)
            {
                kept = new byte[100];
            }
        }

        Assert.That(Allocations.SmallestOfWindows(EveryFourth, 10), Is.GreaterThanOrEqualTo(2 * 100), "two or three arrays in every 10 calls");
        Assert.That(Allocations.SmallestOfWindows(EveryFourth, 10, allThreads: true), Is.GreaterThanOrEqualTo(2 * 100), "counting every thread loses none of it");
        GC.KeepAlive(kept);
    }
}
