using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.ApplicationModel;

public class StartOrderTests
{
    [Fact]
    public void Dependencies_come_before_their_dependents()
    {
        var builder = CoinageTestingBuilder.Create();
        var db = builder.AddPostgres("postgres").AddDatabase("coinagedb");
        var redis = builder.AddRedis("redis");
        var api = builder.AddProject<TestProject>("apiservice").WithReference(db).WithReference(redis).WaitFor(db);
        builder.AddProject<TestProject>("webfrontend").WithReference(api).WaitFor(api);
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);

        var order = model.InStartOrder().Select(r => r.Name).ToList();

        Assert.True(order.IndexOf("postgres") < order.IndexOf("coinagedb"));
        Assert.True(order.IndexOf("coinagedb") < order.IndexOf("apiservice"));
        Assert.True(order.IndexOf("redis") < order.IndexOf("apiservice"));
        Assert.True(order.IndexOf("apiservice") < order.IndexOf("webfrontend"));
    }

    [Fact]
    public void A_subset_brings_its_dependencies_and_nothing_else()
    {
        var builder = CoinageTestingBuilder.Create();
        var db = builder.AddPostgres("postgres").AddDatabase("coinagedb");
        var redis = builder.AddRedis("redis");
        var api = builder.AddProject<TestProject>("apiservice").WithReference(db).WithReference(redis);
        builder.AddProject<TestProject>("webfrontend").WithReference(api);
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);

        var order = model.InStartOrder([model["coinagedb"]]).Select(r => r.Name).ToList();

        Assert.Equal(["postgres", "coinagedb"], order);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_path()
    {
        var builder = CoinageTestingBuilder.Create();
        var a = builder.AddProject<TestProject>("a");
        var b = builder.AddProject<TestProject>("b").WaitFor(a);
        a.WaitFor(b);
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);

        var error = Assert.Throws<InvalidOperationException>(() => model.InStartOrder());
        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_resource_names_are_refused()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddRedis("cache");
        Assert.Throws<InvalidOperationException>(() => builder.AddRedis("cache"));
    }
}
