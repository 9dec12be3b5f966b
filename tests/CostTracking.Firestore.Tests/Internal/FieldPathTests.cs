using CostTracking.Firestore.Internal;

namespace CostTracking.Firestore.Tests.Internal;

/// <summary>Field paths: simple names as they are, anything else backtick-quoted with escapes.</summary>
public sealed class FieldPathTests
{
    [TestCase("totalCost", "totalCost")]
    [TestCase("_private9", "_private9")]
    [TestCase("9lives", "`9lives`")]
    [TestCase("maps.autocomplete v2", "`maps.autocomplete v2`")]
    [TestCase("café", "`café`")]
    [TestCase("a-b", "`a-b`")]
    [TestCase("back`tick", "`back\\`tick`")]
    [TestCase("back\\slash", "`back\\\\slash`")]
    public void Segment_Name_IsQuotedOnlyWhenNeeded(string name, string expected) => FieldPath.Segment(name).Should().Be(expected);

    [Test]
    public void Join_Segments_AreDottedAndEachQuotedAsNeeded() =>
        FieldPath.Join("featureBreakdown", "google maps", "costNanos").Should().Be("featureBreakdown.`google maps`.costNanos");

    [Test]
    public void Join_EmptySegment_IsRefused() =>
        FluentActions.Invoking(() => FieldPath.Join("a", "")).Should().Throw<ArgumentException>();
}
