using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>The platform's SMTP sink, read through maildev's HTTP API (<c>GET /email</c>).</summary>
internal sealed partial class MailDevInbox(HttpClient http, Uri inbox)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The verification link of the newest "Verify your email address" message to <paramref name="to"/>.
    /// The Worker sends it from the outbox, so it arrives some time after the registration.
    /// </summary>
    public async Task<Uri> VerificationLinkAsync(string to, CancellationToken cancellationToken)
    {
        var text = await Polling.UntilAsync(
            async () =>
            {
                var all = await http.GetFromJsonAsync<JsonElement>(new Uri(inbox, "/email"), cancellationToken);
                return all.EnumerateArray()
                    .Where(m => m.GetProperty("subject").GetString() == "Verify your email address"
                        && m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                    .Select(m => m.GetProperty("text").GetString())
                    .LastOrDefault(t => t is not null);
            },
            Patience, $"the verification email to {to} in maildev ({inbox})", cancellationToken);
        var link = VerificationLink().Match(text);
        Assert.True(link.Success, $"The verification email to {to} has no /verify-email link:\n{text}");
        return new Uri(link.Value);
    }

    /// <summary>The link of the newest "Confirm your withdrawal" message to <paramref name="to"/> (also sent by the Worker's outbox).</summary>
    public async Task<Uri> WithdrawalConfirmationLinkAsync(string to, CancellationToken cancellationToken)
    {
        var text = await Polling.UntilAsync(
            async () =>
            {
                var all = await http.GetFromJsonAsync<JsonElement>(new Uri(inbox, "/email"), cancellationToken);
                return all.EnumerateArray()
                    .Where(m => m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                    .Select(m => m.GetProperty("text").GetString())
                    .LastOrDefault(t => t is not null && WithdrawalConfirmationLink().IsMatch(t));
            },
            Patience, $"the withdrawal confirmation email to {to} in maildev ({inbox})", cancellationToken);
        return new Uri(WithdrawalConfirmationLink().Match(text).Value);
    }

    /// <summary>The link of the newest "Reset your password" message to <paramref name="to"/> (sent by the Worker's outbox).</summary>
    public async Task<Uri> PasswordResetLinkAsync(string to, CancellationToken cancellationToken)
    {
        var text = await Polling.UntilAsync(
            async () =>
            {
                var all = await http.GetFromJsonAsync<JsonElement>(new Uri(inbox, "/email"), cancellationToken);
                return all.EnumerateArray()
                    .Where(m => m.GetProperty("subject").GetString() == "Reset your password"
                        && m.GetProperty("to").EnumerateArray().Any(a => string.Equals(a.GetProperty("address").GetString(), to, StringComparison.OrdinalIgnoreCase)))
                    .Select(m => m.GetProperty("text").GetString())
                    .LastOrDefault(t => t is not null && PasswordResetLink().IsMatch(t));
            },
            Patience, $"the password reset email to {to} in maildev ({inbox})", cancellationToken);
        return new Uri(PasswordResetLink().Match(text).Value);
    }

    [GeneratedRegex(@"https?://\S+/reset-password\?\S+")]
    private static partial Regex PasswordResetLink();

    [GeneratedRegex(@"https?://\S+/verify-email\?\S+")]
    private static partial Regex VerificationLink();

    [GeneratedRegex(@"https?://\S+/wallet/withdrawals/confirm\?token=\S+")]
    private static partial Regex WithdrawalConfirmationLink();
}

/// <summary>Waiting for the back end to reach a state (an email delivered, an order resting), with a deadline.</summary>
internal static class Polling
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } result)
            {
                return result;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.");
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }
}
