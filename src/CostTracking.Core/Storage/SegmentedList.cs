using System.Collections;

namespace CostTracking.Storage;

/// <summary>An append-mostly list kept in fixed-size segments: growing it never copies what it holds, and no segment is big enough for the large object heap.</summary>
/// <remarks>
/// A <see cref="List{T}"/> of a million operations doubles into ever larger arrays on the large object heap, each copy a full
/// pass and each allocation a nudge towards a full (gen 2) collection. Here an append costs one slot; a new segment of
/// <see cref="SegmentLength"/> items is allocated once per that many appends. Not thread-safe: the store holds the user's lock.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class SegmentedList<T> : IReadOnlyList<T>
{
    // 512 items of up to 128 bytes stay under the 85,000-byte threshold of the large object heap.
    private const int SegmentShift = 9;
    private const int SegmentLength = 1 << SegmentShift;
    private const int SegmentMask = SegmentLength - 1;

    private T[][] _segments = [];
    private int _count;

    public int Count => _count;

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return _segments[index >> SegmentShift][index & SegmentMask];
        }
    }

    public void Add(T item)
    {
        var segment = _count >> SegmentShift;
        if (segment == _segments.Length)
        {
            Array.Resize(ref _segments, Math.Max(4, _segments.Length * 2));
        }

        (_segments[segment] ??= new T[SegmentLength])[_count & SegmentMask] = item;
        _count++;
    }

    /// <summary>Sorts in place (through one temporary array: sorting is rare, appending is not).</summary>
    public void Sort(Comparison<T> comparison)
    {
        var all = ToArray();
        Array.Sort(all, comparison);
        Clear();
        foreach (var item in all)
        {
            Add(item);
        }
    }

    /// <summary>Removes every item that matches, keeping the order of the rest.</summary>
    public int RemoveAll(Predicate<T> match)
    {
        var all = ToArray();
        var kept = Array.FindAll(all, item => !match(item));
        Clear();
        foreach (var item in kept)
        {
            Add(item);
        }

        return all.Length - kept.Length;
    }

    public T[] ToArray()
    {
        var result = new T[_count];
        for (var i = 0; i < _count; i += SegmentLength)
        {
            Array.Copy(_segments[i >> SegmentShift], 0, result, i, Math.Min(SegmentLength, _count - i));
        }

        return result;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _segments[i >> SegmentShift][i & SegmentMask];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Clear()
    {
        _segments = [];
        _count = 0;
    }
}
