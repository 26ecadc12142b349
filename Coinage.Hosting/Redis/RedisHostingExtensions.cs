using System.Text;
using Coinage.Hosting.Redis;

namespace Coinage.Hosting;

public static class RedisHostingExtensions
{
    /// <summary>
    /// Redis named <paramref name="name"/> with a password (<c>{name}-password</c>, generated once): Aspire.Hosting.Redis'
    /// container where a container runtime answers and always when publishing, otherwise <see cref="RedisProcessResource"/>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCoinageRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var hosting = CoinageHosting.For(builder);
        var password = hosting.AddSecret($"{name}-password");
        if (hosting.UseContainers)
        {
            // Pinned like every image a deployment runs (Debian's redis-server is 7): not Aspire's default of the day.
            var redis = builder.AddRedis(name, port: hosting.PinnedPort(name), password: password).WithImageTag("7.4.2");
            if (builder.ExecutionContext.IsRunMode && !hosting.Ephemeral)
            {
                redis.WithDataVolume($"coinage-{name}");
            }
            return redis;
        }
        return builder.AddRedisProcess(name, password);
    }

    /// <summary>Redis as a local process; a local run keeps an append-only file in <c>{data directory}/{name}</c>.</summary>
    public static IResourceBuilder<RedisProcessResource> AddRedisProcess(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hosting = CoinageHosting.For(builder);
        var program = ProgramLocator.Find("redis-server") ?? "redis-server";
        var resource = new RedisProcessResource(name, program, hosting.SolutionDirectory, password.Resource);
        var port = hosting.PortFor(name);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, (_, _) => ProgramLocator.Find(program) is null
            ? throw new ResourceStartException(resource, "no redis-server program and no container runtime: install one (sudo apt-get install -y redis-server) or start Docker or Podman.")
            : Task.CompletedTask);
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet."), name: healthCheck);

        return builder.AddResource(resource)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: RedisProcessResource.EndpointName, isProxied: false)
            .WithArgs(async context =>
            {
                // The password goes in a configuration file only its owner reads, never on the command line, which
                // every local user's process list and the dashboard's resource list would show.
                var secret = await password.Resource.GetValueAsync(context.CancellationToken).ConfigureAwait(false);
                context.Args.Add(await WritePasswordFileAsync(hosting.ResourceDirectory(name), secret!, context.CancellationToken).ConfigureAwait(false));
                string[] persistence = hosting.Ephemeral ? ["--save", "", "--appendonly", "no"] : ["--appendonly", "yes"];
                foreach (var arg in (string[])["--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--protected-mode", "yes",
                    "--dir", hosting.ResourceDirectory(name), "--daemonize", "no", "--loglevel", "notice", .. persistence])
                {
                    context.Args.Add(arg);
                }
            })
            .WithIconName("Memory")
            .WithHealthCheck(healthCheck);
    }

    /// <summary>
    /// <c>requirepass</c> in <c>{directory}/password.conf</c>, readable by its owner alone before the secret is written;
    /// redis-server reads it as its configuration file (the first argument).
    /// </summary>
    private static async Task<string> WritePasswordFileAsync(string directory, string secret, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "password.conf");
        await File.WriteAllTextAsync(path, "", cancellationToken).ConfigureAwait(false);
        FileModes.OwnerOnly(path);
        // Quoted as redis.conf quotes; the generated secret is letters and digits, a configured one may be anything.
        var quoted = secret.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, $"requirepass \"{quoted}\"\n", Encoding.ASCII, cancellationToken).ConfigureAwait(false);
        return path;
    }
}
