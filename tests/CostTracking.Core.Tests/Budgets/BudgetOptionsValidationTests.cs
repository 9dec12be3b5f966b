using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CostTracking.Tests.Budgets;

/// <summary>Budget options are validated at start; no store is involved, so this runs once, here, not per store.</summary>
[TestFixture]
public sealed class BudgetOptionsValidationTests
{
    [Test]
    public void AddCostTracking_InvalidBudgetOptions_FailAtStartNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddCostTracking(o =>
        {
            o.Budgets.MonthlyCostLimit = -1m;
            o.Budgets.AlertThresholdPercents.Add(0);
            o.Budgets.UnusualSpendingMultiple = 0.5m;
            o.Sessions.IdleTimeout = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*CostTracking:Budgets:MonthlyCostLimit*")
            .WithMessage("*CostTracking:Budgets:AlertThresholdPercents*")
            .WithMessage("*CostTracking:Budgets:UnusualSpendingMultiple*")
            .WithMessage("*CostTracking:Sessions:IdleTimeout*");
    }
}
