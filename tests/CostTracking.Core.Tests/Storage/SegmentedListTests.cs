using CostTracking.Storage;

namespace CostTracking.Tests.Storage;

/// <summary>The in-memory store's operation log: appends across segment boundaries, sorting and removal keep every item in order.</summary>
public sealed class SegmentedListTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(511)]
    [TestCase(512)]
    [TestCase(513)]
    [TestCase(5_000)]
    public void Add_AcrossSegmentBoundaries_KeepsEveryItemInOrder(int count)
    {
        var list = new SegmentedList<int>();
        for (var i = 0; i < count; i++)
        {
            list.Add(i);
        }

        list.Count.Should().Be(count);
        list.Should().Equal(Enumerable.Range(0, count));
        list.ToArray().Should().Equal(Enumerable.Range(0, count));
        if (count > 0)
        {
            list[count - 1].Should().Be(count - 1);
            list[^1].Should().Be(count - 1);
        }

        FluentActions.Invoking(() => list[count]).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => list[-1]).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void Sort_ManySegments_SortsInPlace()
    {
        var random = new Random(42);
        var items = Enumerable.Range(0, 3_000).Select(_ => random.Next()).ToArray();
        var list = new SegmentedList<int>();
        foreach (var item in items)
        {
            list.Add(item);
        }

        list.Sort((a, b) => a.CompareTo(b));

        list.Should().Equal(items.Order());
        list.Count.Should().Be(items.Length);
    }

    [Test]
    public void RemoveAll_KeepsTheOrderOfTheRestAndAcceptsMoreAppends()
    {
        var list = new SegmentedList<int>();
        for (var i = 0; i < 2_000; i++)
        {
            list.Add(i);
        }

        list.RemoveAll(i => i % 3 == 0).Should().Be(667);
        list.Add(5_000);

        list.Should().Equal(Enumerable.Range(0, 2_000).Where(i => i % 3 != 0).Append(5_000));
    }
}
