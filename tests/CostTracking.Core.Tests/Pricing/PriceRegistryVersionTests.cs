using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Tests.Pricing;

[TestFixture]
public sealed class PriceRegistryVersionTests
{
    [TestCase("o4-mini-deep-research")]
    [TestCase("gpt-4o-audio-preview-x")]
    [TestCase("gpt-5-codex")]
    [TestCase("claude-sonnet-4-5-fast")]
    public void GetModelPrice_SuffixThatNamesAnotherModel_IsNotPricedAsItsPrefix(string modelId)
    {
        using var provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IPriceRegistry>();

        var act = () => registry.GetModelPrice(modelId);

        act.Should().Throw<PriceNotFoundException>().Which.Key.Should().Be(modelId);
    }

    [TestCase("o3-mini-2025-01-31", "o3-mini")]
    [TestCase("o3-2025-04-16", "o3")]
    [TestCase("gpt-4o-latest", "gpt-4o")]
    [TestCase("gemini-2.5-pro-exp-03-25", "gemini-2.5-pro")]
    public void GetModelPrice_DatedOrTaggedId_ResolvesToItsModel(string modelId, string expected)
    {
        using var provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();

        provider.GetRequiredService<IPriceRegistry>().GetModelPrice(modelId).ModelId.Should().Be(expected);
    }
}
