// KernelThreads: how a kernel splits one call across cores. A few dedicated worker threads spin
// briefly between calls (a training step at batch 10 lasts tens of microseconds: waking a sleeping
// thread would cost more than the work), then sleep. A call hands them a function pointer and a
// pointer to its operands on the caller's stack, runs part 0 itself and waits for the rest; the
// operands are pinned for exactly that long. Calls from several threads at once do not queue:
// whoever finds the workers busy runs its call alone. Nothing here allocates after start-up.
using System.Diagnostics;

namespace MnistBp;

internal static unsafe class KernelThreads
{
    private const int MaxThreads = 64;
    private static readonly Lock s_lock = new();
    private static readonly long s_spinTicks = Stopwatch.Frequency / 2000; // spin 0.5 ms, then sleep
    private static Worker[] s_workers = [];
    private static int s_threadCount = DefaultThreadCount();

    private static int s_pending; // parts handed to workers and not finished yet

    /// <summary>Threads a kernel call may use, the caller included; 1 turns the workers off.</summary>
    public static int ThreadCount
    {
        get => s_threadCount;
        set => s_threadCount = Math.Clamp(value, 1, MaxThreads);
    }

    /// <summary>
    /// Runs <c>work(state, part, parts)</c> for every part in [0, parts), in parallel where workers are
    /// free, and returns when all are done. <paramref name="state"/> must stay valid until then.
    /// </summary>
    public static void Run(delegate*<void*, int, int, void> work, void* state, int parts)
    {
        if (parts <= 1 || !s_lock.TryEnter())
        {
            for (int part = 0; part < parts; part++)
            {
                work(state, part, parts);
            }

            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            Volatile.Write(ref s_pending, parts - 1);
            for (int i = 0; i < parts - 1; i++)
            {
                s_workers[i].Post(work, state, i + 1, parts);
            }

            work(state, 0, parts);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref s_pending) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
        finally
        {
            s_lock.Exit();
        }
    }

    private static int DefaultThreadCount()
    {
        string? setting = Environment.GetEnvironmentVariable("MNISTBP_THREADS");
        return int.TryParse(setting, out int threads) && threads > 0 ? Math.Min(threads, MaxThreads) : Math.Min(Environment.ProcessorCount, MaxThreads);
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count)
        {
            return;
        }

        var workers = new Worker[count];
        s_workers.CopyTo(workers, 0);
        for (int i = s_workers.Length; i < count; i++)
        {
            workers[i] = new Worker(i + 1);
        }

        s_workers = workers;
    }

    /// <summary>A thread that runs one part of a job at a time, posted into its own slot.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private delegate*<void*, int, int, void> _work;
        private void* _state;
        private int _part;
        private int _parts;
        private int _posted;
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MnistBp kernel worker {index}" };
            thread.Start();
        }

        public void Post(delegate*<void*, int, int, void> work, void* state, int part, int parts)
        {
            _work = work;
            _state = state;
            _part = part;
            _parts = parts;
            Volatile.Write(ref _posted, 1); // publishes the fields above
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            while (true)
            {
                WaitForPost();
                _work(_state, _part, _parts);
                Volatile.Write(ref _posted, 0);
                Interlocked.Decrement(ref s_pending);
            }
        }

        private void WaitForPost()
        {
            long start = Stopwatch.GetTimestamp();
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _posted) == 0)
            {
                if (Stopwatch.GetTimestamp() - start < s_spinTicks)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                // Sleep. Announce it first, then look once more, so a post made in between is not missed.
                Volatile.Write(ref _sleeping, 1);
                if (Volatile.Read(ref _posted) == 0)
                {
                    _wake.Wait();
                }

                Volatile.Write(ref _sleeping, 0);
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
