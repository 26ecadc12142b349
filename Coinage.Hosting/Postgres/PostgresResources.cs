using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Postgres;

/// <summary>A PostgreSQL server; its databases are child resources.</summary>
public sealed class PostgresServerResource : Resource, IResourceWithConnectionString, IRunnableResource
{
    public const int DefaultPort = 5432;
    public const string UserName = "postgres";

    public PostgresServerResource(string name, ParameterResource password) : base(name)
    {
        Password = password;
        Annotations.Add(new EndpointAnnotation(this, "tcp", "tcp", DefaultPort));
    }

    public override string ResourceType => "Postgres";

    public ParameterResource Password { get; }

    /// <summary>Data directory for `run`, relative to the run's data directory (.coinage/); tests always use a temporary one.</summary>
    public string? DataDirectory { get; internal set; }

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public string GetConnectionString(IValueContext context)
    {
        var endpoint = this.GetEndpoint("tcp");
        return $"Host={context.Host(endpoint)};Port={context.Port(endpoint)};Username={UserName};Password={context.Value(Password)}";
    }

    public IResourceRunner CreateRunner(RunContext context) => new PostgresRunner(this, context);
}

/// <summary>A database on a <see cref="PostgresServerResource"/>, created when the server first becomes healthy.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent, IResourceWithoutProcess
{
    public override string ResourceType => "PostgresDatabase";

    public string DatabaseName { get; } = ResourceNames.Validate(databaseName);

    public PostgresServerResource Server { get; } = parent;

    IResource IResourceWithParent.Parent => Server;

    public string GetConnectionString(IValueContext context) => $"{Server.GetConnectionString(context)};Database={DatabaseName}";
}

public static class PostgresBuilderExtensions
{
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this CoinageApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new PostgresServerResource(name, password.Resource));
    }

    /// <summary>Keeps the cluster in <paramref name="path"/> (relative to the data directory, .coinage/) between runs.</summary>
    public static IResourceBuilder<PostgresServerResource> WithDataDirectory(this IResourceBuilder<PostgresServerResource> builder, string path)
    {
        builder.Resource.DataDirectory = path;
        return builder;
    }

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Databases.Add(database);
        return builder.ApplicationBuilder.AddResource(database);
    }
}
