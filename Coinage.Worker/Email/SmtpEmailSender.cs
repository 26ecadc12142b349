using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Coinage.Worker.Email;

/// <summary>Configuration: <c>ConnectionStrings:smtp</c> (<c>Endpoint=smtp://host:port</c>), <c>Coinage:WebBaseUrl</c>, <c>Coinage:Email:From</c>.</summary>
public sealed class EmailSettings
{
    public required Uri SmtpEndpoint { get; init; }
    public required Uri WebBaseUrl { get; init; }
    public string From { get; init; } = "Coinage <no-reply@coinage.local>";

    public static EmailSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connection = configuration.GetConnectionString("smtp") ?? "Endpoint=smtp://127.0.0.1:1025";
        var endpoint = connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .FirstOrDefault(kv => kv.Length == 2 && kv[0].Equals("Endpoint", StringComparison.OrdinalIgnoreCase))?[1]
            ?? throw new InvalidOperationException("ConnectionStrings:smtp must look like Endpoint=smtp://host:port.");
        return new EmailSettings
        {
            SmtpEndpoint = new Uri(endpoint),
            WebBaseUrl = new Uri(configuration["Coinage:WebBaseUrl"] ?? "http://localhost:5000"),
            From = configuration["Coinage:Email:From"] ?? "Coinage <no-reply@coinage.local>",
        };
    }
}

/// <summary>Sends one email over SMTP with MailKit (plain text + HTML alternative).</summary>
public sealed class SmtpEmailSender(EmailSettings settings)
{
    public async Task SendAsync(RenderedEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Subject = email.Subject;
        message.Body = new BodyBuilder { TextBody = email.Text, HtmlBody = email.Html }.ToMessageBody();

        using var client = new SmtpClient();
        // smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS when the server offers it (maildev does not).
        var security = settings.SmtpEndpoint.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(settings.SmtpEndpoint.Host, settings.SmtpEndpoint.Port, security, cancellationToken).ConfigureAwait(false);
        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }
}
