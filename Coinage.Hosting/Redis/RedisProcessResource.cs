namespace Coinage.Hosting.Redis;

/// <summary>
/// redis-server from the machine, run by DCP as an executable, password-protected on loopback: the stand-in for
/// Aspire's <see cref="Aspire.Hosting.ApplicationModel.RedisResource"/> container. Same connection string shape.
/// </summary>
public sealed class RedisProcessResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, EndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>StackExchange.Redis configuration, as Aspire writes it.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}
