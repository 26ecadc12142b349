using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.Testing;

/// <summary>Contract B: the AppHost gives the Worker the API and the market maker's credentials, and forwards the switch.</summary>
public class AppHostMarketMakerTests
{
    [Fact]
    public async Task The_worker_references_the_api_and_gets_the_market_maker_switch_only_when_given()
    {
        var quiet = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>("--Coinage:MarketMaker:Enabled=false");
        var worker = quiet.Resources.Single(r => r.Name == "worker");
        Assert.Contains(worker.Annotations.OfType<ReferenceAnnotation>(), r => r.Target.Name == "apiservice");
        var environment = worker.Annotations.OfType<EnvironmentAnnotation>().ToList();
        Assert.Equal("false", environment.Single(e => e.Name == "Coinage__MarketMaker__Enabled").Value(null!));
        Assert.Equal("market-maker@coinage.local", environment.Single(e => e.Name == "Coinage__MarketMaker__Email").Value(null!));
        Assert.True(environment.Single(e => e.Name == "Coinage__MarketMaker__Password").IsSecret);

        var api = quiet.Resources.Single(r => r.Name == "apiservice").Annotations.OfType<EnvironmentAnnotation>().ToList();
        Assert.True(api.Single(e => e.Name == "Coinage__DevelopmentUsers__TraderPassword").IsSecret);
        Assert.True(api.Single(e => e.Name == "Coinage__DevelopmentUsers__MarketMakerPassword").IsSecret);

        var usual = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>();
        Assert.DoesNotContain(usual.Resources.Single(r => r.Name == "worker").Annotations.OfType<EnvironmentAnnotation>(), e => e.Name == "Coinage__MarketMaker__Enabled");
    }
}
