using CostTracking.Testing;

namespace CostTracking.OpenTelemetry.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingOpenTelemetry_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(global::OpenTelemetry.Metrics.CostTrackingMeterProviderBuilderExtensions).Assembly);
}
