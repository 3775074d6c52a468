// Simd: the handful of vector operations the tuned matrix kernels need, as static abstract members
// over the vector type, so one generic kernel is compiled by the JIT for Vector512, Vector256 and
// Vector128 alike (the wider ones for the main columns, the narrower ones for the leftover columns).
// It adds nothing the BCL lacks; it only gives the three vector types a common shape.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MnistBp;

/// <summary>The vector operations of the tuned kernels, implemented once per vector width.</summary>
/// <typeparam name="TVector">Vector128, Vector256 or Vector512 of float.</typeparam>
internal interface ISimd<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats starting at <paramref name="source"/>.</summary>
    static abstract TVector Load(ref float source);

    /// <summary>Stores <see cref="Count"/> floats starting at <paramref name="destination"/>.</summary>
    static abstract void Store(TVector value, ref float destination);

    /// <summary>A vector with every lane set to <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary><c>a * b + c</c>, rounded once (fused multiply-add).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary><c>a + b</c>.</summary>
    static abstract TVector Add(TVector a, TVector b);
}

/// <summary>16 floats, AVX-512.</summary>
internal readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
}

/// <summary>8 floats, AVX2.</summary>
internal readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
}

/// <summary>4 floats, SSE or NEON.</summary>
internal readonly struct Simd128 : ISimd<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
}

/// <summary>A number known to the JIT when it compiles a generic kernel (the tile's rows or vectors).</summary>
internal interface ITileSize
{
    static abstract int Value { get; }
}

internal readonly struct One : ITileSize
{
    public static int Value => 1;
}

internal readonly struct Two : ITileSize
{
    public static int Value => 2;
}

internal readonly struct Three : ITileSize
{
    public static int Value => 3;
}

internal readonly struct Four : ITileSize
{
    public static int Value => 4;
}

internal readonly struct Five : ITileSize
{
    public static int Value => 5;
}

internal readonly struct Six : ITileSize
{
    public static int Value => 6;
}
