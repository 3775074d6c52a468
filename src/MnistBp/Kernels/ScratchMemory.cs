// ScratchMemory: the one way the library keeps temporary float buffers. A buffer lives in a
// [ThreadStatic] field of its user, grows when a call needs more, and is kept: after the first
// calls of a given size nothing allocates, and no two threads ever share one.
namespace MnistBp;

internal static class ScratchMemory
{
    /// <summary>Returns <paramref name="buffer"/>, replaced by a larger array first when it holds fewer than <paramref name="length"/> floats.</summary>
    /// <param name="buffer">A thread-static field.</param>
    /// <param name="length">Floats needed.</param>
    /// <returns>An array of at least <paramref name="length"/> floats (contents undefined).</returns>
    public static float[] AtLeast(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[Math.Max(length, 1024)];
        }

        return buffer;
    }
}
