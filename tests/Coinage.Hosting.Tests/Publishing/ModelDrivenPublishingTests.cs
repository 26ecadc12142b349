using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Publishing.Compose;
using Coinage.Hosting.Publishing.Kubernetes;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>The publishers follow whatever model they are given, not the resources Coinage has today.</summary>
public sealed class ModelDrivenPublishingTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("coinage-publish-model-");

    private static AppModel Model()
    {
        var builder = CoinageTestingBuilder.Create();
        var db = builder.AddPostgres("pg").AddDatabase("orders-db", "orders");
        var cache = builder.AddRedis("cache");
        var orders = builder.AddProject<TestProject>("orders").WithReplicas(3)
            .WithReference(db).WithReference(cache).WaitFor(db)
            .WithMigrations("migrate", "--exit").WithHttpHealthCheck("/ready");
        builder.AddProject<TestProject>("gateway").WithReference(orders).WaitFor(orders).WithExternalHttpEndpoints();
        return new AppModel(builder.Resources, builder.ExecutionContext, null);
    }

    [Fact]
    public async Task Every_project_becomes_a_deployment_wired_like_the_model()
    {
        await new KubernetesPublisher().PublishAsync(Model(), _output.FullName, TestContext.Current.CancellationToken);
        var objects = Directory.GetFiles(Path.Combine(_output.FullName, "base"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Kubectl.Parse(File.ReadAllText(f)))
            .ToList();

        var orders = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "orders");
        var pod = orders.Spec.Template.Spec;
        Assert.Equal(["wait-for-pg", "migrations"], pod.InitContainers.Select(c => c.Name));
        Assert.Equal(["migrate", "--exit"], pod.InitContainers[1].Args);
        Assert.Equal(pod.Containers[0].Image, pod.InitContainers[1].Image);
        Assert.Equal(pod.Containers[0].Env.Select(e => e.Name), pod.InitContainers[1].Env.Select(e => e.Name));
        Assert.Equal("coinage/test.service", pod.Containers[0].Image);
        Assert.Equal("/ready", pod.Containers[0].ReadinessProbe.HttpGet.Path);
        Assert.Contains(pod.Containers[0].Env, e => e.Name == "ConnectionStrings__orders-db" && e.Value == "Host=pg;Port=5432;Username=postgres;Password=$(PG_PASSWORD);Database=orders");

        // Called by the gateway: autoscaled from the model's three replicas.
        Assert.Null(orders.Spec.Replicas);
        Assert.Equal(3, Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>(), h => h.Metadata.Name == "orders").Spec.MinReplicas);

        var gateway = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "gateway");
        Assert.Equal("wait-for-orders", Assert.Single(gateway.Spec.Template.Spec.InitContainers).Name);
        Assert.Contains("http://orders:8080/ready", gateway.Spec.Template.Spec.InitContainers[0].Command[2], StringComparison.Ordinal);
        Assert.Equal("gateway", Assert.Single(objects.OfType<V1Ingress>()).Spec.Rules[0].Http.Paths[0].Backend.Service.Name);

        Assert.Equal(["cache", "pg"], objects.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.Contains("CREATE DATABASE \"orders\";", File.ReadAllText(Path.Combine(_output.FullName, "base", "pg", "10-databases.sql")), StringComparison.Ordinal);

        var policies = objects.OfType<V1NetworkPolicy>().ToList();
        var workloads = Manifests.Workloads(objects);
        Workload W(string name) => workloads.Single(w => w.Name == name);
        Assert.True(Manifests.Allows(policies, W("gateway"), W("orders"), 8080));
        Assert.True(Manifests.Allows(policies, W("orders"), W("pg"), 5432));
        Assert.True(Manifests.Allows(policies, W("orders"), W("cache"), 6379));
        Assert.False(Manifests.Allows(policies, W("gateway"), W("pg"), 5432));
        Assert.False(Manifests.Allows(policies, W("orders"), W("gateway"), 8080));

        var secrets = File.ReadAllLines(Path.Combine(_output.FullName, "overlays", "prod", "secrets.env.example")).Where(l => !l.StartsWith('#'));
        Assert.Equal(["CACHE_PASSWORD=", "PG_PASSWORD="], secrets.Order());
    }

    [Fact]
    public async Task Compose_runs_migrations_once_before_the_project_starts()
    {
        await new ComposePublisher().PublishAsync(Model(), _output.FullName, TestContext.Current.CancellationToken);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(_output.FullName, ComposePublisher.FileName))));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];

        var migrations = (YamlMappingNode)services["orders-migrations"];
        Assert.Equal(["migrate", "--exit"], ((YamlSequenceNode)migrations["command"]).Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("no", ((YamlScalarNode)migrations["restart"]).Value);
        var dependsOn = (YamlMappingNode)((YamlMappingNode)services["orders"])["depends_on"];
        Assert.Equal("service_completed_successfully", ((YamlScalarNode)((YamlMappingNode)dependsOn["orders-migrations"])["condition"]).Value);
        Assert.Equal("service_healthy", ((YamlScalarNode)((YamlMappingNode)dependsOn["pg"])["condition"]).Value);
    }

    public void Dispose() => _output.Delete(recursive: true);
}
