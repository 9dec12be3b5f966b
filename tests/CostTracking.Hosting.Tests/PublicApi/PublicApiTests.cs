using CostTracking.Testing;

namespace CostTracking.Hosting.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingHosting_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(Microsoft.Extensions.DependencyInjection.CostTrackingHostingExtensions).Assembly);
}
