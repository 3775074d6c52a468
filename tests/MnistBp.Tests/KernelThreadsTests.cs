// KernelThreads: a call split into parts runs every part exactly once, on the workers and the
// caller; and when a worker keeps stalling (its core taken by another process), calls run on the
// calling thread alone for a while instead of waiting for it.
namespace MnistBp.Tests;

[NonParallelizable] // the workers and the thread count are process-wide
internal sealed unsafe class KernelThreadsTests
{
    private int _savedThreads;

    [SetUp]
    public void Save()
    {
        _savedThreads = Kernels.ThreadCount;
        KernelThreads.ResetStalls();
    }

    [TearDown]
    public void Restore()
    {
        Kernels.ThreadCount = _savedThreads;
        KernelThreads.ResetStalls();
    }

    [Test]
    public void Every_part_runs_once([Values(1, 2, 3, 8)] int parts)
    {
        Kernels.ThreadCount = 4;
        var job = new Job { CallerThread = Environment.CurrentManagedThreadId };
        for (int call = 0; call < 100; call++)
        {
            job.Clear();
            KernelThreads.Run(&CountPart, &job, parts);
            for (int part = 0; part < 8; part++)
            {
                Assert.That(job.Runs[part], Is.EqualTo(part < parts ? 1 : 0), $"call {call}, part {part}");
            }
        }
    }

    [Test]
    public void A_worker_that_keeps_stalling_sends_the_next_calls_to_the_caller_alone()
    {
        Kernels.ThreadCount = 2;
        var job = new Job { CallerThread = Environment.CurrentManagedThreadId, StallOffCaller = true };
        long soloBefore = KernelThreads.SoloCalls;

        // Each call: the caller's own part takes 2 ms (time for a worker to wake and claim the other
        // part), and the part a worker runs sleeps 5 ms, far beyond the 100 µs a caller waits without counting it.
        for (int call = 0; call < 200 && KernelThreads.SoloCalls == soloBefore; call++)
        {
            job.Clear();
            KernelThreads.Run(&CountPart, &job, 2);
            Assert.That(job.Runs[0] + job.Runs[1], Is.EqualTo(2));
        }

        job.Clear();
        KernelThreads.Run(&CountPart, &job, 2);

        Assert.That(KernelThreads.SoloCalls, Is.GreaterThan(soloBefore), "after a few stalled calls, calls run alone");
        Assert.That(job.OffCallerRuns, Is.Zero, "both parts ran on the calling thread");
        Assert.That(job.Runs[0] + job.Runs[1], Is.EqualTo(2));
    }

    private static void CountPart(void* state, int part, int parts)
    {
        ref Job job = ref *(Job*)state;
        Interlocked.Increment(ref job.Runs[part]);
        if (Environment.CurrentManagedThreadId != job.CallerThread)
        {
            Interlocked.Increment(ref job.OffCallerRuns);
            if (job.StallOffCaller)
            {
                Thread.Sleep(5);
            }
        }
        else if (job.StallOffCaller)
        {
            var busy = System.Diagnostics.Stopwatch.StartNew();
            while (busy.Elapsed.TotalMilliseconds < 2)
            {
                Thread.SpinWait(10);
            }
        }
    }

    private struct Job
    {
        public int CallerThread;
        public bool StallOffCaller;
        public int OffCallerRuns;
        public Runs8 Runs;

        public void Clear()
        {
            OffCallerRuns = 0;
            Runs = default;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct Runs8
    {
        private int _element;
    }
}
