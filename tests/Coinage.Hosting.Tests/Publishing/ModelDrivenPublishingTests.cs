using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>The publish steps follow whatever Aspire model they are given, not the resources Coinage has today.</summary>
public sealed class ModelDrivenPublishingTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("coinage-publish-model-");

    private static void Model(IDistributedApplicationBuilder builder)
    {
        var db = builder.AddPostgres("pg").AddDatabase("orders-db", "orders");
        var cache = builder.AddRedis("cache");
        var orders = builder.AddProject<ServiceProject>("orders").WithHttpEndpoint().WithReplicas(3)
            .WithReference(db).WithReference(cache).WaitFor(db)
            .WithMigrations("migrate", "--exit").WithHttpHealthCheck("/ready");
        builder.AddProject<ServiceProject>("gateway").WithHttpEndpoint().WithReference(orders).WaitFor(orders).WithExternalHttpEndpoints();
    }

    private List<k8s.IKubernetesObject> BaseObjects() =>
        [.. Directory.GetFiles(Path.Combine(_output.FullName, "base"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Kubectl.Parse(File.ReadAllText(f)))];

    [Fact]
    public async Task Every_project_becomes_a_deployment_wired_like_the_model()
    {
        await ModelPublisher.PublishAsync(PublishingBuilderExtensions.KubernetesStep, _output.FullName, Model);
        var objects = BaseObjects();

        var orders = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "orders");
        var pod = orders.Spec.Template.Spec;
        Assert.Equal(["wait-for-pg", "migrations"], pod.InitContainers.Select(c => c.Name));
        Assert.Equal(["migrate", "--exit"], pod.InitContainers[1].Args);
        Assert.Equal(pod.Containers[0].Image, pod.InitContainers[1].Image);
        Assert.Equal("coinage/test.service", pod.Containers[0].Image);
        Assert.Equal("/ready", pod.Containers[0].ReadinessProbe.HttpGet.Path);
        Assert.Equal([8080], pod.Containers[0].Ports.Select(p => p.ContainerPort));

        // Called by the gateway: autoscaled from the model's three replicas.
        Assert.Null(orders.Spec.Replicas);
        Assert.Equal(3, Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>(), h => h.Metadata.Name == "orders").Spec.MinReplicas);

        var gateway = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "gateway");
        Assert.Equal("wait-for-orders", Assert.Single(gateway.Spec.Template.Spec.InitContainers).Name);
        Assert.Contains("http://orders:8080/ready", gateway.Spec.Template.Spec.InitContainers[0].Command[2], StringComparison.Ordinal);
        Assert.Equal("gateway", Assert.Single(objects.OfType<V1Ingress>()).Spec.Rules[0].Http.Paths[0].Backend.Service.Name);

        Assert.Equal(["cache", "pg"], objects.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        var images = objects.OfType<V1StatefulSet>().ToDictionary(s => s.Metadata.Name, s => s.Spec.Template.Spec.Containers[0].Image);
        Assert.StartsWith("docker.io/library/postgres:", images["pg"], StringComparison.Ordinal);
        Assert.StartsWith("docker.io/library/redis:", images["cache"], StringComparison.Ordinal);

        var policies = objects.OfType<V1NetworkPolicy>().ToList();
        var workloads = Manifests.Workloads(objects);
        Workload W(string name) => workloads.Single(w => w.Name == name);
        Assert.True(Manifests.Allows(policies, W("gateway"), W("orders"), 8080));
        Assert.True(Manifests.Allows(policies, W("orders"), W("pg"), 5432));
        Assert.True(Manifests.Allows(policies, W("orders"), W("cache"), 6379));
        Assert.False(Manifests.Allows(policies, W("gateway"), W("pg"), 5432));
        Assert.False(Manifests.Allows(policies, W("orders"), W("gateway"), 8080));

        var secrets = File.ReadAllLines(Path.Combine(_output.FullName, "overlays", "prod", "secrets.env.example")).Where(l => !l.StartsWith('#'));
        Assert.Equal(["CACHE_PASSWORD=", "ORDERS_APP_PASSWORD=", "ORDERS_OWNER_PASSWORD=", "PG_PASSWORD="], secrets.Order());
    }

    [Fact]
    public async Task Services_connect_as_the_databases_app_role_and_the_migrator_as_its_owner_never_as_the_superuser()
    {
        await ModelPublisher.PublishAsync(PublishingBuilderExtensions.KubernetesStep, _output.FullName, Model);
        var objects = BaseObjects();
        var configMap = ConfigMapLiterals("orders-env");
        var pod = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "orders").Spec.Template.Spec;

        string Env(V1Container container, string name) => Assert.Single(container.Env, e => e.Name == name).Value;
        var service = pod.Containers[0];
        Assert.Equal("Host=pg;Port=5432;Username=orders_app;Password=$(ORDERS_APP_PASSWORD);Database=orders", Env(service, "ConnectionStrings__orders-db"));
        Assert.Equal("postgresql://orders_app:$(ORDERS_APP_PASSWORD)@pg:5432/orders", Env(service, "ORDERS_DB_URI"));
        Assert.Equal("orders_app", configMap["ORDERS_DB_USERNAME"]);

        var migrator = pod.InitContainers.Single(c => c.Name == "migrations");
        Assert.Equal("Host=pg;Port=5432;Username=orders_owner;Password=$(ORDERS_OWNER_PASSWORD);Database=orders", Env(migrator, "ConnectionStrings__orders-db"));
        // The shared ConfigMap names the app role; the migrator's own variable wins (env over envFrom).
        Assert.Equal("orders_owner", Env(migrator, "ORDERS_DB_USERNAME"));

        // The superuser's password reaches the server (and its backup job) only; the owner's, the migrator only.
        foreach (var workload in Manifests.Workloads(objects))
        {
            foreach (var container in workload.AllContainers)
            {
                var keys = (container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Key).OfType<string>().ToList();
                Assert.True(!keys.Contains("PG_PASSWORD") || workload.Name is "pg" or "pg-backup", $"{workload.Name}/{container.Name} gets the superuser's password");
                Assert.True(!keys.Contains("ORDERS_OWNER_PASSWORD") || container.Name is "migrations" or "pg", $"{workload.Name}/{container.Name} gets the owner's password");
            }
        }
        var server = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == "pg").Spec.Template.Spec.Containers[0];
        Assert.Equal(["ORDERS_APP_PASSWORD", "ORDERS_OWNER_PASSWORD", "PG_PASSWORD"],
            server.Env.Select(e => e.ValueFrom?.SecretKeyRef?.Key).OfType<string>().Order());

        var script = File.ReadAllText(Path.Combine(_output.FullName, "base", "pg", PostgresRoles.InitScriptName));
        Assert.Contains("CREATE DATABASE \"orders\" OWNER orders_owner;", script, StringComparison.Ordinal);
        Assert.Contains("-v owner_password=\"$ORDERS_OWNER_PASSWORD\" -v app_password=\"$ORDERS_APP_PASSWORD\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("$(", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_that_references_the_postgres_server_itself_is_refused()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ModelPublisher.PublishAsync(PublishingBuilderExtensions.KubernetesStep, _output.FullName, builder =>
        {
            var server = builder.AddPostgres("pg");
            builder.AddProject<ServiceProject>("reporting").WithHttpEndpoint().WithReference(server);
        }));
        Assert.Contains("superuser", failure.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_output.FullName, "base", "kustomization.yaml")));
    }

    [Fact]
    public async Task Compose_runs_migrations_once_as_the_owner_before_the_project_starts_as_the_app_role()
    {
        await ModelPublisher.PublishAsync(PublishingBuilderExtensions.ComposeStep, _output.FullName, Model);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(_output.FullName, "docker-compose.yaml"))));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        static string Scalar(YamlNode node, params string[] path) =>
            ((YamlScalarNode)path.Aggregate(node, (n, key) => ((YamlMappingNode)n)[key])).Value!;

        var migrations = (YamlMappingNode)services["orders-migrations"];
        Assert.Equal(["migrate", "--exit"], ((YamlSequenceNode)migrations["command"]).Select(n => ((YamlScalarNode)n).Value));
        Assert.Equal("no", Scalar(migrations, "restart"));
        Assert.Equal("service_completed_successfully", Scalar(services, "orders", "depends_on", "orders-migrations", "condition"));
        Assert.Equal("service_healthy", Scalar(services, "orders", "depends_on", "pg", "condition"));

        Assert.Equal("Host=pg;Port=5432;Username=orders_owner;Password=${ORDERS_OWNER_PASSWORD:?set ORDERS_OWNER_PASSWORD in .env};Database=orders",
            Scalar(migrations, "environment", "ConnectionStrings__orders-db"));
        Assert.Equal("Host=pg;Port=5432;Username=orders_app;Password=${ORDERS_APP_PASSWORD:?set ORDERS_APP_PASSWORD in .env};Database=orders",
            Scalar(services, "orders", "environment", "ConnectionStrings__orders-db"));
        foreach (var project in new[] { "orders", "orders-migrations", "gateway" })
        {
            var environment = (YamlMappingNode)((YamlMappingNode)services[project])["environment"];
            Assert.All(environment.Children.Values, v => Assert.DoesNotContain("PG_PASSWORD", ((YamlScalarNode)v).Value, StringComparison.Ordinal));
        }
        Assert.True(File.Exists(Path.Combine(_output.FullName, "pg", "init", PostgresRoles.InitScriptName)));
    }

    private Dictionary<string, string> ConfigMapLiterals(string name)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(_output.FullName, "base", "kustomization.yaml"))));
        var generators = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["configMapGenerator"];
        var map = generators.Cast<YamlMappingNode>().Single(g => ((YamlScalarNode)g["name"]).Value == name);
        return ((YamlSequenceNode)map["literals"]).Select(n => ((YamlScalarNode)n).Value!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    public void Dispose() => _output.Delete(recursive: true);
}
