// VisitorModels: each visitor who presses "teach it" gets a copy of the trained model of their own
// (ModelFile.Copy), so their steps of gradient descent never reach the shared model or another visitor.
// The cache is bounded both ways: at most Capacity copies (the one used longest ago goes first), where
// Capacity is the configured count or what fits in the memory budget, whichever is smaller, and a copy
// unused for Expiry is dropped. Reset drops a visitor's copy: they are back on the trained model.
// Copies are made outside the cache's lock, so one visitor's copy of a large model never holds up
// another visitor's look-up, and one at a time, so many first requests at once cannot hold more
// copies in memory than the budget plus one.
// It is not a session system: the id is a random cookie, and nothing is kept on disk.
using System.Security.Cryptography;
using MnistBp;

namespace MnistBp.Samples.DrawADigit;

/// <summary>A size-limited, expiring cache of per-visitor model copies.</summary>
internal sealed class VisitorModels
{
    /// <summary>The cookie that carries a visitor's id.</summary>
    public const string CookieName = "mnistbp-visitor";

    private readonly Dictionary<string, Visitor> _visitors = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _copying = new(1, 1);
    private readonly Func<Sequential, Sequential> _copy;
    private readonly Sequential _shared;
    private readonly TimeProvider _clock;

    /// <summary>Creates the cache.</summary>
    /// <param name="shared">The trained model every copy starts from; it is only read.</param>
    /// <param name="capacity">The most copies kept at once, at least 1.</param>
    /// <param name="expiry">How long an unused copy is kept, positive.</param>
    /// <param name="clock">The clock (a fake one in tests).</param>
    /// <param name="memoryBudgetBytes">
    /// The most bytes all copies may take together (each at least <see cref="BytesPerCopy"/>); at least one copy is
    /// always allowed. Null: no budget, only <paramref name="capacity"/>.
    /// </param>
    /// <param name="copy">How a copy is made (tests slow it down); <see cref="ModelFile.Copy"/> when null.</param>
    public VisitorModels(Sequential shared, int capacity, TimeSpan expiry, TimeProvider clock, long? memoryBudgetBytes = null, Func<Sequential, Sequential>? copy = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        if (memoryBudgetBytes is long budget)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1L, nameof(memoryBudgetBytes));
        }

        _shared = shared;
        _copy = copy ?? ModelFile.Copy;
        // a copy holds every parameter's values and its gradient, 4 bytes each
        BytesPerCopy = shared.Parameters.Sum(p => 2L * sizeof(float) * p.Value.Length);
        Capacity = memoryBudgetBytes is long bytes ? (int)Math.Clamp(bytes / Math.Max(1L, BytesPerCopy), 1L, capacity) : capacity;
        Expiry = expiry;
        _clock = clock;
    }

    /// <summary>The most copies kept at once: the configured count, or fewer when the memory budget allows fewer.</summary>
    public int Capacity { get; }

    /// <summary>What one copy takes at least: its parameters' values and gradients, in bytes.</summary>
    public long BytesPerCopy { get; }

    /// <summary>How long an unused copy is kept.</summary>
    public TimeSpan Expiry { get; }

    /// <summary>The number of copies held now (expired ones included until the next look-up sweeps them).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _visitors.Count;
            }
        }
    }

    /// <summary>A new random visitor id: 128 bits as 32 hex digits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="id"/> looks like an id this cache hands out (anything else in the cookie is ignored).</summary>
    public static bool IsWellFormed(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>The visitor's copy, or null when they have none (never taught, reset, expired or evicted).</summary>
    /// <param name="id">The visitor's id.</param>
    public Visitor? TryGet(string? id)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        lock (_lock)
        {
            DateTimeOffset now = _clock.GetUtcNow();
            RemoveExpired(now);
            if (_visitors.TryGetValue(id!, out Visitor? visitor))
            {
                visitor.LastUsed = now;
                return visitor;
            }

            return null;
        }
    }

    /// <summary>The visitor's copy, made from the shared model when they have none; the least recently used copy makes room when the cache is full.</summary>
    /// <param name="id">A well-formed visitor id (see <see cref="NewId"/>).</param>
    /// <param name="cancellationToken">Stops waiting for another visitor's copy to finish (the request was aborted).</param>
    public async ValueTask<Visitor> GetOrCreateAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsWellFormed(id))
        {
            throw new ArgumentException($"'{id}' is not a visitor id (32 lower-case hex digits).", nameof(id));
        }

        Visitor? existing = TryGet(id);
        if (existing is not null)
        {
            return existing;
        }

        // The copy is made outside the lock (it can take milliseconds for a large model), one at a time. The shared
        // model is never written, so copying it while other threads predict with it is safe.
        await _copying.WaitAsync(cancellationToken).ConfigureAwait(false); // waiting holds no thread
        try
        {
            existing = TryGet(id); // the same visitor's other request may have made it while this one waited
            if (existing is not null)
            {
                return existing;
            }

            var made = new Visitor(id, _copy(_shared));
            lock (_lock)
            {
                if (_visitors.Count >= Capacity)
                {
                    Visitor oldest = _visitors.Values.MinBy(v => v.LastUsed)!;
                    _visitors.Remove(oldest.Id);
                }

                made.LastUsed = _clock.GetUtcNow();
                _visitors.Add(id, made); // only a copy's maker adds, and copies are made one at a time: the id is free
                return made;
            }
        }
        finally
        {
            _copying.Release();
        }
    }

    /// <summary>Drops the visitor's copy; returns whether there was one.</summary>
    /// <param name="id">The visitor's id.</param>
    public bool Remove(string? id)
    {
        if (!IsWellFormed(id))
        {
            return false;
        }

        lock (_lock)
        {
            return _visitors.Remove(id!);
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (Visitor visitor in _visitors.Values)
        {
            if (now - visitor.LastUsed >= Expiry)
            {
                (expired ??= []).Add(visitor.Id);
            }
        }

        foreach (string id in expired ?? [])
        {
            _visitors.Remove(id);
        }
    }
}

/// <summary>One visitor's copy of the model and how many steps they have taught it.</summary>
/// <param name="id">The visitor's id.</param>
/// <param name="model">Their copy; use it only while holding <see cref="Gate"/> (training Forward and Backward cache per layer).</param>
internal sealed class Visitor(string id, Sequential model)
{
    /// <summary>The visitor's id.</summary>
    public string Id { get; } = id;

    /// <summary>The visitor's copy of the model.</summary>
    public Sequential Model { get; } = model;

    /// <summary>Held for every use of <see cref="Model"/>: one request of a visitor at a time.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Steps of gradient descent taught so far.</summary>
    public int Steps { get; set; }

    /// <summary>When the copy was last used (under the cache's lock).</summary>
    public DateTimeOffset LastUsed { get; set; }
}
