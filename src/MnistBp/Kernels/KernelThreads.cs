// KernelThreads: how a kernel splits one call across cores. A few dedicated worker threads spin
// briefly between calls (a training step at batch 10 lasts tens of microseconds: waking a sleeping
// thread would cost more than the work), then sleep. A call publishes a function pointer and a
// pointer to its operands on the caller's stack; the caller and the workers then claim the parts
// one by one, so a worker that is late (its core busy elsewhere) costs nothing: the caller simply
// does more parts itself. The operands stay pinned until every part is done. Calls from several
// threads at once do not queue: whoever finds the workers busy runs its call alone. How many parts a
// call asks for is the kernel's business, at most KernelSettings.ThreadCount.
// Why it exists: two threads make an epoch of 784-100-10 1.25-1.55x faster (docs/performance.md).
using System.Diagnostics;

namespace MnistBp;

internal static unsafe class KernelThreads
{
    private static readonly Lock s_lock = new();
    private static readonly long s_spinTicks = Stopwatch.Frequency / 2000; // spin 0.5 ms, then sleep
    private static Worker[] s_workers = [];

    // The job in progress. s_claim holds the job's generation (high 32 bits) and the next unclaimed
    // part (low 32 bits), so a worker that wakes up after its job ended cannot claim a part of the next.
    private static delegate*<void*, int, int, void> s_work;
    private static void* s_state;
    private static int s_parts;
    private static int s_generation;
    private static long s_claim;
    private static int s_done;

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
            int generation = s_generation + 1;
            s_work = work;
            s_state = state;
            s_parts = parts;
            Volatile.Write(ref s_done, 0);
            Volatile.Write(ref s_claim, (long)generation << 32);
            Volatile.Write(ref s_generation, generation); // publishes the job to the spinning workers
            for (int i = 0; i < parts - 1; i++)
            {
                s_workers[i].WakeIfSleeping();
            }

            RunParts(generation);
            while (Volatile.Read(ref s_done) != parts)
            {
                Thread.SpinWait(8); // a few pause instructions; no system call while a part finishes
            }
        }
        finally
        {
            s_lock.Exit();
        }
    }

    /// <summary>Claims and runs parts of job <paramref name="generation"/> until none is left.</summary>
    private static void RunParts(int generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int part = (int)claim;
            if ((int)(claim >> 32) != generation || part >= s_parts)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) == claim)
            {
                s_work(s_state, part, s_parts);
                Interlocked.Increment(ref s_done);
            }
        }
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
            workers[i] = new Worker(i + 1, s_generation);
        }

        s_workers = workers;
    }

    /// <summary>A thread that helps with whatever job is published, then waits for the next.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _seen;
        private int _sleeping;

        public Worker(int index, int generation)
        {
            _seen = generation;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MnistBp kernel worker {index}" };
            thread.Start();
        }

        public void WakeIfSleeping()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            while (true)
            {
                WaitForJob();
                _seen = Volatile.Read(ref s_generation);
                RunParts(_seen);
            }
        }

        private void WaitForJob()
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref s_generation) == _seen)
            {
                if (Stopwatch.GetTimestamp() - start < s_spinTicks)
                {
                    Thread.SpinWait(8); // pause instructions only: yielding to the OS would add its latency
                    continue;
                }

                // Sleep. Announce it first, then look once more, so a job published in between is not missed.
                Volatile.Write(ref _sleeping, 1);
                if (Volatile.Read(ref s_generation) == _seen)
                {
                    _wake.Wait();
                }

                Volatile.Write(ref _sleeping, 0);
                start = Stopwatch.GetTimestamp();
            }
        }
    }
}
