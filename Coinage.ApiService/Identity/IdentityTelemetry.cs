using System.Diagnostics.Metrics;
using Coinage.ServiceDefaults.Compliance;

namespace Coinage.ApiService.Identity;

/// <summary>Outcomes of <c>coinage.identity.sign_ins</c> (tag <c>result</c>).</summary>
public static class SignInResults
{
    public const string Success = "success";
    public const string InvalidCredentials = "invalid_credentials";
    public const string LockedOut = "locked_out";
    public const string TwoFactorRequired = "two_factor_required";
    public const string TwoFactorFailed = "two_factor_failed";
}

/// <summary>
/// Meter <c>Coinage.Identity</c> and the identity log lines. Emails and client IPs are
/// <see cref="PiiAttribute">personal data</see>: the logs carry their HMAC tokens only.
/// </summary>
public sealed partial class IdentityTelemetry
{
    public const string MeterName = "Coinage.Identity";

    private readonly ILogger<IdentityTelemetry> _logger;
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _registrations;

    public IdentityTelemetry(IMeterFactory meters, ILogger<IdentityTelemetry> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _logger = logger;
        var meter = meters.Create(MeterName);
        _signIns = meter.CreateCounter<long>("coinage.identity.sign_ins", "{sign_in}", "Sign-in attempts by result.");
        _registrations = meter.CreateCounter<long>("coinage.identity.registrations", "{account}", "Accounts created by registration.");
    }

    public void SignIn(string result, Guid? userId, string? email, string clientIp)
    {
        _signIns.Add(1, new KeyValuePair<string, object?>("result", result));
        if (result == SignInResults.Success)
        {
            LogSignedIn(_logger, userId, email, clientIp);
        }
        else
        {
            LogSignInRefused(_logger, result, userId, email, clientIp);
        }
    }

    public void Registered(Guid userId, string email, string clientIp)
    {
        _registrations.Add(1);
        LogRegistered(_logger, userId, email, clientIp);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} ({Email}) signed in from {ClientIp}")]
    private static partial void LogSignedIn(ILogger logger, Guid? userId, [Pii] string? email, [Pii] string clientIp);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in refused ({Result}) for {Email} (user {UserId}) from {ClientIp}")]
    private static partial void LogSignInRefused(ILogger logger, string result, Guid? userId, [Pii] string? email, [Pii] string clientIp);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} ({Email}) registered from {ClientIp}")]
    private static partial void LogRegistered(ILogger logger, Guid userId, [Pii] string email, [Pii] string clientIp);
}
