using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>One environment variable of a published container.</summary>
/// <param name="Secrets">The secret keys <paramref name="Value"/> refers to (a template such as <c>Password=$(KEY)</c>).</param>
/// <param name="WholeSecretKey">Set when the whole value is one key of the Secret (an external service's connection string).</param>
internal sealed record EnvironmentVariable(string Name, string Value, IReadOnlyList<string> Secrets, string? WholeSecretKey = null)
{
    public bool IsPlain => Secrets.Count == 0 && WholeSecretKey is null;
}

/// <summary>How a deployment target runs the model: which resources stay outside it, how it spells a secret.</summary>
/// <param name="Model">The AppHost's model, in publish mode.</param>
/// <param name="SolutionDirectory">The repository root, which files named in the model (alert rules) are relative to.</param>
/// <param name="SecretReference">A reference to a secret key that the platform expands when the container starts.</param>
/// <param name="IsExternal">Resources the target does not run; their connection strings come from the Secret.</param>
/// <param name="OtlpEndpoint">Where the projects send telemetry (the target's collector).</param>
internal sealed record PublishTarget(
    DistributedApplicationModel Model,
    DistributedApplicationExecutionContext Execution,
    string SolutionDirectory,
    Func<string, string> SecretReference,
    Func<IResource, bool> IsExternal,
    string OtlpEndpoint)
{
    /// <summary><c>SMTP_CONNECTION_STRING</c>: the key of the Secret that holds an external service's connection string.</summary>
    public static string ExternalSecretKey(IResource resource) => $"{ModelExtensions.EnvironmentName(resource.Name)}_CONNECTION_STRING";
}

/// <summary>
/// The environment of a resource as a deployed container sees it, evaluated from the Aspire model in publish
/// mode (the <see cref="EnvironmentCallbackAnnotation"/>s, as Aspire's own publishers do): other resources by
/// their service name and container port, secrets as references the platform resolves at start
/// (<c>$(POSTGRES_PASSWORD)</c>, <c>${POSTGRES_PASSWORD}</c>), so a manifest never holds a secret value; and a
/// PostgreSQL database as its least-privilege role (<see cref="PostgresRoles"/>), never as the superuser.
/// </summary>
internal sealed class PublishedEnvironment
{
    private const string ConnectionStringPrefix = "ConnectionStrings__";

    private readonly PublishTarget _target;
    private readonly DatabaseAccess _access;
    private readonly IResource _consumer;
    private readonly List<string> _secrets = [];

    private PublishedEnvironment(PublishTarget target, IResource consumer, DatabaseAccess access)
    {
        _target = target;
        _consumer = consumer;
        _access = access;
    }

    /// <summary>The environment of <paramref name="resource"/>: the publisher's telemetry settings for a project, then the model's variables.</summary>
    public static async Task<IReadOnlyList<EnvironmentVariable>> BuildAsync(
        IResource resource, PublishTarget target, DatabaseAccess access, CancellationToken cancellationToken)
    {
        var variables = new List<EnvironmentVariable>();
        void Set(EnvironmentVariable variable)
        {
            variables.RemoveAll(v => v.Name == variable.Name);
            variables.Add(variable);
        }
        if (resource is ProjectResource)
        {
            // Aspire sets no OTLP target in publish mode: the telemetry collector is the publisher's.
            Set(new("OTEL_SERVICE_NAME", resource.Name, []));
            Set(new("OTEL_RESOURCE_ATTRIBUTES", "service.namespace=coinage", []));
            Set(new("OTEL_EXPORTER_OTLP_ENDPOINT", target.OtlpEndpoint, []));
            Set(new("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", []));
        }

        var environment = await ModelEnvironmentAsync(resource, target.Execution, cancellationToken).ConfigureAwait(false);
        var databases = DatabaseConnections(environment);
        foreach (var (name, value) in environment)
        {
            var writer = new PublishedEnvironment(target, resource, access);
            if (value is ConnectionStringReference { Resource: var external } && target.IsExternal(external.ProcessOwner()))
            {
                Set(new(name, "", [], PublishTarget.ExternalSecretKey(external)));
                continue;
            }
            var written = writer.ConnectionProperty(name, databases) ?? await writer.WriteAsync(value, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                Set(new(name, written, [.. writer._secrets]));
            }
        }
        return variables;
    }

    /// <summary>
    /// The resources <paramref name="resource"/> calls, as <c>WithReference</c> says: the targets of its connection
    /// strings (<c>ConnectionStrings__x</c>) and of its service discovery (<c>services__x__…</c>). An address handed
    /// over as data (a link to the web front end in an email) is not a call: it opens no network path.
    /// </summary>
    public static async Task<IReadOnlyList<IResource>> ReferencesAsync(IResource resource, DistributedApplicationExecutionContext execution, CancellationToken cancellationToken)
    {
        var references = new List<IResource>();
        foreach (var (name, value) in await ModelEnvironmentAsync(resource, execution, cancellationToken).ConfigureAwait(false))
        {
            IResource? target = value switch
            {
                ConnectionStringReference reference when name.StartsWith(ConnectionStringPrefix, StringComparison.Ordinal) => reference.Resource,
                EndpointReference endpoint when name.StartsWith("services__", StringComparison.Ordinal) => endpoint.Resource,
                _ => null,
            };
            if (target is not null && !references.Contains(target))
            {
                references.Add(target);
            }
        }
        return references;
    }

    /// <summary>The model's variables of <paramref name="resource"/>, unevaluated: its environment callbacks run in publish mode.</summary>
    private static async Task<Dictionary<string, object>> ModelEnvironmentAsync(IResource resource, DistributedApplicationExecutionContext execution, CancellationToken cancellationToken)
    {
        var context = new EnvironmentCallbackContext(execution, resource, cancellationToken: cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context).ConfigureAwait(false);
        }
        return context.EnvironmentVariables;
    }

    /// <summary>The command-line arguments of a container resource, evaluated like its environment.</summary>
    public static async Task<IReadOnlyList<string>> ArgumentsAsync(
        IResource resource, PublishTarget target, CancellationToken cancellationToken)
    {
        var context = new CommandLineArgsCallbackContext([], resource, cancellationToken) { ExecutionContext = target.Execution };
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context).ConfigureAwait(false);
        }
        var writer = new PublishedEnvironment(target, resource, DatabaseAccess.App);
        var arguments = new List<string>();
        foreach (var argument in context.Args)
        {
            arguments.Add(await writer.WriteAsync(argument, cancellationToken).ConfigureAwait(false)
                ?? throw new NotSupportedException($"An argument of '{resource.Name}' refers to a resource that is not deployed."));
        }
        return arguments;
    }

    /// <summary>
    /// The PostgreSQL databases referenced through <c>ConnectionStrings__NAME</c>, by the prefix of the connection
    /// properties Aspire puts beside them (<c>NAME_USERNAME</c>, <c>NAME_PASSWORD</c>, <c>NAME_URI</c>, …).
    /// </summary>
    private static Dictionary<string, PostgresDatabaseResource> DatabaseConnections(Dictionary<string, object> environment)
    {
        var databases = new Dictionary<string, PostgresDatabaseResource>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (name.StartsWith(ConnectionStringPrefix, StringComparison.Ordinal) && value is ConnectionStringReference { Resource: PostgresDatabaseResource database })
            {
                databases[ModelExtensions.EnvironmentName(name[ConnectionStringPrefix.Length..]) + "_"] = database;
            }
        }
        return databases;
    }

    private string? ConnectionProperty(string name, Dictionary<string, PostgresDatabaseResource> databases)
    {
        foreach (var (prefix, database) in databases)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)
                && PostgresRoles.ConnectionProperty(database, _access, name[prefix.Length..], () => RolePassword(database)) is { } value)
            {
                return value;
            }
        }
        return null;
    }

    private string RolePassword(PostgresDatabaseResource database) => Secret(PostgresRoles.For(database, _access).PasswordKey);

    private string Secret(string key)
    {
        if (!_secrets.Contains(key))
        {
            _secrets.Add(key);
        }
        return _target.SecretReference(key);
    }

    /// <summary>The value as the container sees it, or null when it refers to a resource the target does not run.</summary>
    private async Task<string?> WriteAsync(object? value, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case null:
                return "";
            case string text:
                return text;
            case ParameterResource parameter:
                return await ParameterAsync(parameter, cancellationToken).ConfigureAwait(false);
            case ConnectionStringReference reference:
                return await ConnectionStringAsync(reference.Resource, cancellationToken).ConfigureAwait(false);
            case IResourceWithConnectionString resource:
                return await ConnectionStringAsync(resource, cancellationToken).ConfigureAwait(false);
            case EndpointReference endpoint:
                return Endpoint(endpoint, EndpointProperty.Url);
            case EndpointReferenceExpression expression:
                return Endpoint(expression.Endpoint, expression.Property);
            case ReferenceExpression { IsConditional: true } conditional:
                // Decided now, as Aspire's publishers do for a condition that is not a deployment parameter.
                var condition = await conditional.Condition!.GetValueAsync(new ValueProviderContext { ExecutionContext = _target.Execution }, cancellationToken).ConfigureAwait(false);
                var branch = string.Equals(condition, conditional.MatchValue, StringComparison.OrdinalIgnoreCase) ? conditional.WhenTrue : conditional.WhenFalse;
                return await WriteAsync(branch, cancellationToken).ConfigureAwait(false);
            case ReferenceExpression expression:
                var arguments = new object[expression.ValueProviders.Count];
                for (var i = 0; i < arguments.Length; i++)
                {
                    if (await WriteAsync(expression.ValueProviders[i], cancellationToken).ConfigureAwait(false) is not { } argument)
                    {
                        return null;
                    }
                    arguments[i] = argument;
                }
                return string.Format(CultureInfo.InvariantCulture, expression.Format, arguments);
            default:
                throw new NotSupportedException(
                    $"The environment of '{_consumer.Name}' holds a {value.GetType().Name}, which the Coinage publishers cannot write into a manifest.");
        }
    }

    private async Task<string> ParameterAsync(ParameterResource parameter, CancellationToken cancellationToken)
    {
        if (_consumer is ProjectResource && IsSuperuserPassword(parameter))
        {
            throw new InvalidOperationException(
                $"'{_consumer.Name}' would receive the PostgreSQL superuser's password ({parameter.Name}): reference a database (AddDatabase) instead, "
                + "which a deployment connects to as a least-privilege role.");
        }
        if (parameter.Secret)
        {
            return Secret(parameter.EnvironmentName());
        }
        // A plain setting with a value in the model is written as it is; one without is asked for like a secret.
        string? value;
        try
        {
            value = await parameter.GetValueAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MissingParameterValueException)
        {
            value = null;
        }
        return value ?? Secret(parameter.EnvironmentName());
    }

    private bool IsSuperuserPassword(ParameterResource parameter) =>
        _target.Model.Resources.OfType<PostgresServerResource>().Any(s => s.PasswordParameter == parameter);

    private async Task<string?> ConnectionStringAsync(IResourceWithConnectionString resource, CancellationToken cancellationToken)
    {
        if (_target.IsExternal(resource.ProcessOwner()))
        {
            return null;
        }
        return resource switch
        {
            PostgresDatabaseResource database => PostgresRoles.ConnectionString(database, _access, RolePassword(database)),
            PostgresServerResource server when _consumer is ProjectResource => throw new InvalidOperationException(
                $"'{_consumer.Name}' references the PostgreSQL server '{server.Name}' itself, which is the superuser: reference a database (AddDatabase) instead."),
            _ => await WriteAsync(resource.ConnectionStringExpression, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>An endpoint as seen inside the deployment: the resource's service name and its container port.</summary>
    private string? Endpoint(EndpointReference reference, EndpointProperty property)
    {
        var owner = reference.Resource.ProcessOwner();
        if (_target.IsExternal(owner))
        {
            return null;
        }
        var endpoint = reference.Resource.PublishedEndpoint(reference.EndpointName);
        var host = owner.Name;
        var port = endpoint.ContainerPort().ToString(CultureInfo.InvariantCulture);
        return property switch
        {
            EndpointProperty.Url => $"{endpoint.UriScheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.Scheme => endpoint.UriScheme,
            _ => throw new NotSupportedException($"The endpoint property {property} of '{reference.Resource.Name}' cannot be published."),
        };
    }
}
