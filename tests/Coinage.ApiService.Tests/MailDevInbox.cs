extern alias worker;

using System.Net.Http.Json;
using System.Text.Json;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using worker::Coinage.Worker.Email;

namespace Coinage.ApiService.Tests;

/// <summary>
/// The shared maildev of <see cref="InfrastructureFixture"/> as the tests reach it: an address's emails waiting in the
/// outbox delivered now, in-process, as the Worker's <see cref="SendEmailJob"/> delivers them, and what maildev received.
/// </summary>
public sealed class MailDevInbox(InfrastructureFixture infrastructure)
{
    /// <summary>The web front end the emails' links point to.</summary>
    public const string WebBaseUrl = "http://web.coinage.test";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Sends the outbox rows to <paramref name="to"/> not yet processed, oldest first; returns how many there were.</summary>
    public async Task<int> DeliverOutboxAsync(IServiceProvider services, string to)
    {
        var settings = new EmailSettings { SmtpEndpoint = new Uri(infrastructure.SmtpConnectionString["Endpoint=".Length..]), WebBaseUrl = new Uri(WebBaseUrl) };
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var ids = await db.OutboxMessages.FromSql($"SELECT * FROM outbox_messages WHERE processed_at IS NULL AND payload->>'to' = {to}")
            .OrderBy(m => m.CreatedAt).Select(m => m.Id).ToListAsync(Ct);
        foreach (var id in ids)
        {
            await new SendEmailJob(db, new SmtpEmailSender(settings), settings, TimeProvider.System).SendAsync(id, Ct);
        }
        return ids.Count;
    }

    /// <summary>Every message maildev holds for <paramref name="to"/>, once one with <paramref name="subject"/> is among them.</summary>
    public Task<List<JsonElement>> MailsToAsync(string to, string subject) =>
        MailsToAsync(to, mails => mails.Any(m => Subject(m) == subject), $"The email '{subject}' to {to}");

    /// <summary>Every message maildev holds for <paramref name="to"/>, once <paramref name="arrived"/> says they are all there.</summary>
    public async Task<List<JsonElement>> MailsToAsync(string to, Func<IReadOnlyList<JsonElement>, bool> arrived, string what)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var all = await http.GetFromJsonAsync<JsonElement>(new Uri(infrastructure.MailDevApi, "/email"), Ct);
            var mine = all.EnumerateArray().Where(m => m.GetProperty("to").EnumerateArray().Any(a => a.GetProperty("address").GetString() == to)).ToList();
            if (arrived(mine))
            {
                return mine;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not reach maildev.");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>The first message to <paramref name="to"/> with <paramref name="subject"/>: its plain-text part and its HTML.</summary>
    public async Task<(string Text, string Html)> MailAsync(string to, string subject)
    {
        var mail = (await MailsToAsync(to, subject)).First(m => Subject(m) == subject);
        using var http = new HttpClient();
        var html = await http.GetStringAsync(new Uri(infrastructure.MailDevApi, $"/email/{mail.GetProperty("id").GetString()}/html"), Ct);
        return (mail.GetProperty("text").GetString()!, html);
    }

    public static string? Subject(JsonElement mail) => mail.GetProperty("subject").GetString();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
