using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>CPU and memory a container asks for and may not exceed, and the volume it keeps.</summary>
internal sealed record ResourceSizes(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit, string? Storage = null);

/// <summary>
/// How a container resource of the model (PostgreSQL, Redis, Elasticsearch, MailDev) runs in a deployment: the
/// same facts for Kubernetes and Compose, so both publishers agree. The model gives the image, the endpoints
/// and the secrets; what Aspire's resources do not say (the image's non-root user, where it keeps its data, how
/// to ask it whether it is ready, how big it is) is known here, by resource type.
/// </summary>
/// <param name="UserId">The non-root user the image is built for.</param>
/// <param name="DataPath">Where the server keeps its data (a volume), if anywhere.</param>
/// <param name="Arguments">The container's arguments; secrets in them as references the platform expands.</param>
/// <param name="Environment">Settings and secrets (each a <see cref="EnvironmentVariable.WholeSecretKey"/>).</param>
/// <param name="ReadyCommand">A shell command that exits 0 once the server answers.</param>
/// <param name="ScratchPaths">Folders the server writes besides its data, so the root filesystem can stay read-only.</param>
/// <param name="SeededPaths">Folders the entrypoint edits (a keystore in the config folder): writable copies of the image's content.</param>
/// <param name="InitFiles">Files for <paramref name="InitDirectory"/>, run by the entrypoint on first start.</param>
/// <param name="Component">What the server is (postgres, redis, …): the app.kubernetes.io/component label.</param>
internal sealed record BackingService(
    IResource Resource,
    string Component,
    string Image,
    long UserId,
    string? DataPath,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<EnvironmentVariable> Environment,
    string ReadyCommand,
    ResourceSizes Sizes,
    IReadOnlyList<string> ScratchPaths,
    IReadOnlyList<string> SeededPaths,
    string? InitDirectory = null,
    IReadOnlyDictionary<string, string>? InitFiles = null)
{
    public string Name => Resource.Name;

    public IReadOnlyList<EndpointAnnotation> Endpoints => Resource.PublishedEndpoints();

    /// <summary>The secret keys the server's environment takes from the Secret.</summary>
    public IEnumerable<string> SecretKeys => Environment.SelectMany(e => e.WholeSecretKey is { } key ? [key] : e.Secrets);

    /// <summary>The server behind <paramref name="resource"/>, or null for a resource that is not a container we run.</summary>
    public static async Task<BackingService?> ForAsync(IResource resource, PublishTarget target, CancellationToken cancellationToken)
    {
        switch (resource)
        {
            case PostgresServerResource postgres:
                return Postgres(postgres, await SuperuserAsync(postgres, cancellationToken).ConfigureAwait(false), target);
            case RedisResource redis:
                return Redis(redis, target);
            case ContainerResource container when PublishedResources.IsElasticsearch(container) || PublishedResources.IsMailDev(container):
                var environment = await PublishedEnvironment.BuildAsync(container, target, DatabaseAccess.App, cancellationToken).ConfigureAwait(false);
                environment = [.. environment.Select(v => AsSecret(v, target))];
                return PublishedResources.IsElasticsearch(container) ? Elasticsearch(container, environment) : MailDev(container, environment);
            default:
                return null;
        }
    }

    private static EnvironmentVariable Setting(string name, string value) => new(name, value, []);

    private static EnvironmentVariable FromSecret(string name, string key) => new(name, "", [], key);

    /// <summary>The image's superuser: <c>postgres</c> unless the model names another (a plain parameter; a secret one is not supported).</summary>
    private static async Task<string> SuperuserAsync(PostgresServerResource postgres, CancellationToken cancellationToken) => postgres.UserNameParameter switch
    {
        null => "postgres",
        { Secret: false } name => await name.GetValueAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The user name parameter of '{postgres.Name}' has no value to publish."),
        _ => throw new NotSupportedException($"The user name of '{postgres.Name}' is a secret parameter: the publishers need it in the init script and the probes."),
    };

    private static BackingService Postgres(PostgresServerResource postgres, string superuser, PublishTarget target)
    {
        var databases = target.Model.Resources.OfType<PostgresDatabaseResource>().Where(d => d.Parent == postgres).ToList();
        var environment = new List<EnvironmentVariable>
        {
            Setting("POSTGRES_USER", superuser),
            // A subfolder: the root of a fresh volume holds lost+found, which initdb refuses.
            Setting("PGDATA", "/var/lib/postgresql/data/pgdata"),
            FromSecret("POSTGRES_PASSWORD", postgres.PasswordParameter.EnvironmentName()),
        };
        // The init script reads the roles' passwords from here (PostgresRoles).
        environment.AddRange(databases.SelectMany(PostgresRoles.All).Select(r => FromSecret(r.PasswordKey, r.PasswordKey)));
        return new(postgres, "postgres", postgres.Image(), 999, "/var/lib/postgresql/data",
            Arguments: [],
            Environment: environment,
            ReadyCommand: $"pg_isready -h 127.0.0.1 -U {superuser}",
            Sizes: new("250m", "512Mi", "2", "2Gi", "20Gi"),
            ScratchPaths: ["/var/run/postgresql", "/tmp"],
            SeededPaths: [],
            InitDirectory: "/docker-entrypoint-initdb.d",
            InitFiles: new Dictionary<string, string> { [PostgresRoles.InitScriptName] = PostgresRoles.InitScript(postgres, databases) });
    }

    private static BackingService Redis(RedisResource redis, PublishTarget target)
    {
        var environment = new List<EnvironmentVariable>();
        var arguments = new List<string> { "redis-server" };
        if (redis.PasswordParameter is { } password)
        {
            var key = password.EnvironmentName();
            arguments.AddRange(["--requirepass", target.SecretReference(key)]);
            // REDISCLI_AUTH lets the readiness check authenticate without the password on its command line.
            environment.AddRange([FromSecret(key, key), FromSecret("REDISCLI_AUTH", key)]);
        }
        arguments.AddRange(["--appendonly", "yes", "--dir", "/data"]);
        return new(redis, "redis", redis.Image(), 999, "/data",
            Arguments: arguments,
            Environment: environment,
            ReadyCommand: "redis-cli ping | grep -q PONG",
            Sizes: new("100m", "128Mi", "1", "512Mi", "2Gi"),
            ScratchPaths: ["/tmp"],
            SeededPaths: []);
    }

    private static BackingService Elasticsearch(ContainerResource search, IReadOnlyList<EnvironmentVariable> model)
    {
        var environment = new List<EnvironmentVariable>
        {
            Setting("discovery.type", "single-node"),
            Setting("xpack.security.enabled", "true"),
            // Single node inside the cluster network: no transport peers; HTTP stays plain inside the NetworkPolicy.
            Setting("xpack.security.http.ssl.enabled", "false"),
            Setting("xpack.security.transport.ssl.enabled", "false"),
            // Without mmap Elasticsearch needs no vm.max_map_count, so no privileged sysctl init container.
            Setting("node.store.allow_mmap", "false"),
            Setting("ES_JAVA_OPTS", "-Xms512m -Xmx512m"),
        };
        Merge(environment, model);
        return new(search, "elasticsearch", search.Image(), 1000, "/usr/share/elasticsearch/data",
            Arguments: [],
            Environment: environment,
            ReadyCommand: "curl -fsS -o /dev/null -u \"elastic:$ELASTIC_PASSWORD\" \"http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=2s\"",
            Sizes: new("500m", "1Gi", "2", "2Gi", "20Gi"),
            ScratchPaths: ["/tmp", "/usr/share/elasticsearch/logs"],
            SeededPaths: ["/usr/share/elasticsearch/config"]);
    }

    private static BackingService MailDev(ContainerResource mail, IReadOnlyList<EnvironmentVariable> model)
    {
        string Port(string endpoint) => mail.PublishedEndpoint(endpoint).ContainerPort().ToString(CultureInfo.InvariantCulture);
        var environment = new List<EnvironmentVariable> { Setting("MAILDEV_SMTP_PORT", Port("smtp")), Setting("MAILDEV_WEB_PORT", Port("http")) };
        Merge(environment, model);
        return new(mail, "maildev", mail.Image(), 1000, null,
            Arguments: [],
            Environment: environment,
            ReadyCommand: $"wget -q -O /dev/null http://127.0.0.1:{Port("http")}/healthz",
            Sizes: new("50m", "64Mi", "500m", "256Mi"),
            ScratchPaths: ["/tmp"],
            SeededPaths: []);
    }

    /// <summary>A variable that is exactly one secret comes straight from the Secret (no template to expand).</summary>
    private static EnvironmentVariable AsSecret(EnvironmentVariable variable, PublishTarget target) =>
        variable.Secrets is [var key] && variable.Value == target.SecretReference(key) ? FromSecret(variable.Name, key) : variable;

    /// <summary>The Secret key behind the variable <paramref name="name"/> of this server, if it comes from one.</summary>
    public string? SecretKeyOf(string name) => Environment.FirstOrDefault(e => e.Name == name)?.WholeSecretKey;

    /// <summary>The model's own variables win over our defaults of the same name.</summary>
    private static void Merge(List<EnvironmentVariable> environment, IReadOnlyList<EnvironmentVariable> model)
    {
        foreach (var variable in model)
        {
            environment.RemoveAll(e => e.Name == variable.Name);
            environment.Add(variable);
        }
    }
}
