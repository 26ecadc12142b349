namespace Coinage.Hosting.MailDev;

/// <summary>An SMTP sink with a web inbox: the services' <c>ConnectionStrings__smtp</c> in development.</summary>
public interface IMailDevResource : IResourceWithConnectionString, IResourceWithEndpoints
{
    public const string SmtpEndpointName = "smtp";
    public const string HttpEndpointName = "http";
}

/// <summary>maildev from npm (<c>eng/tools</c>), run by DCP as an executable.</summary>
public sealed class MailDevProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IMailDevResource
{
    /// <summary><c>Endpoint=smtp://host:port</c>, the format of the Aspire MailDev integration.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint=smtp://{new EndpointReference(this, IMailDevResource.SmtpEndpointName).Property(EndpointProperty.HostAndPort)}");
}

/// <summary>The maildev container image.</summary>
public sealed class MailDevContainerResource(string name) : ContainerResource(name), IMailDevResource
{
    public const string Image = "maildev/maildev";
    public const string Tag = "2.2.1";

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint=smtp://{new EndpointReference(this, IMailDevResource.SmtpEndpointName).Property(EndpointProperty.HostAndPort)}");
}
