using System.Net;
using System.Net.Sockets;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.Orchestration;

public class PortAllocationTests
{
    [Fact]
    public void Every_endpoint_and_replica_gets_a_distinct_free_port()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddRedis("redis");
        builder.AddProject<TestProject>("apiservice").WithReplicas(4);
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);

        var values = new LocalValueContext(model);
        var ports = model.Resources.SelectMany(r => r.Endpoints())
            .SelectMany(e => Enumerable.Range(0, values.AddressCount(e)).Select(i => values.Port(e, i)))
            .ToList();

        Assert.Equal(5, ports.Count);
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.True(PortAllocator.IsFree(p)));
    }

    [Fact]
    public void Pinned_ports_apply_to_a_run_and_replicas_take_the_next_ones()
    {
        var context = new CoinageExecutionContext(CoinageOperation.Run, IsTesting: false, DataDirectory: Path.GetTempPath());
        var project = new ProjectResource("apiservice", new TestProject());
        project.Annotations.Add(new EndpointAnnotation(project, "http", "http", 8080) { Port = 45100 });
        project.Annotations.Add(new ReplicaAnnotation(2));

        var values = new LocalValueContext(new AppModel([project], context, null));

        Assert.Equal(45100, values.Port(project.GetEndpoint("http"), 0));
        Assert.Equal(45101, values.Port(project.GetEndpoint("http"), 1));
    }

    [Fact]
    public void Tests_ignore_configured_ports_so_they_can_run_beside_a_developer_run()
    {
        var builder = CoinageTestingBuilder.Create("--Coinage:Ports:redis=6379");
        var redis = builder.AddRedis("redis");
        Assert.Null(redis.Resource.GetEndpoint("tcp").Port);
    }

    [Fact]
    public void A_pinned_port_already_in_use_fails_with_the_resource_and_the_port()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var context = new CoinageExecutionContext(CoinageOperation.Run, IsTesting: false, DataDirectory: Path.GetTempPath());
        var redis = new RedisResource("redis", new ParameterResource("redis-password", () => "x", secret: true));
        redis.GetEndpoint("tcp").Port = taken;
        var values = new LocalValueContext(new AppModel([redis], context, null));

        var (endpoint, port) = Assert.Single(values.PinnedPortsInUse());
        Assert.Equal((redis.Name, taken), (endpoint.Resource.Name, port));
    }

    [Fact]
    public void A_configured_port_that_is_not_a_port_is_a_clear_error()
    {
        var context = new CoinageApplicationBuilderFactory();
        var error = Assert.Throws<ArgumentException>(() => context.RunModeBuilder("--Coinage:Ports:redis=http").AddRedis("redis"));
        Assert.Contains("Coinage:Ports:redis", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>A builder in `run` mode (not testing), as the AppHost gets one, for configuration tests.</summary>
internal sealed class CoinageApplicationBuilderFactory
{
    public CoinageApplicationBuilder RunModeBuilder(params string[] args) =>
        new(["--Coinage:DataDirectory=" + Path.Combine(Path.GetTempPath(), "coinage-unused"), .. args], isTesting: false, appHostAssembly: null);
}
