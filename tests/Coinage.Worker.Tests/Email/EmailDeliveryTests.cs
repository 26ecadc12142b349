using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coinage.Worker.Email;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coinage.Worker.Tests.Email;

public sealed class EmailDeliveryTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_outbox_email_is_dispatched_sent_over_smtp_to_maildev_with_its_link_and_phrase_and_marked_processed()
    {
        await using var factory = new WorkerFactory(infrastructure);
        var to = $"verify-{Guid.NewGuid():N}@example.test";
        var userId = Guid.NewGuid().ToString();
        const string token = "CfDJ8+token/with=odd&chars";
        var id = await InsertAsync("email.verify_email", new { to, userId, antiPhishingPhrase = "blue <harbour>", data = new Dictionary<string, string> { ["token"] = token } });

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // The recurring dispatcher leases it and enqueues the send job; this host's Hangfire
            // server may run it while the test runs it too: the row lock lets only one send.
            // Another test's worker (a "replica") may lease it first: either way it is leased once.
            var dispatcher = scope.ServiceProvider.GetRequiredService<OutboxEmailDispatcher>();
            await dispatcher.DispatchAsync(Ct);
            Assert.True(await ScalarAsync<bool>("SELECT next_attempt_at > now() + interval '9 minutes' FROM outbox_messages WHERE id = @id", id));
            await scope.ServiceProvider.GetRequiredService<SendEmailJob>().SendAsync(id, Ct);
        }

        var mail = await WaitForMailAsync(to);
        Assert.Equal("Verify your email address", mail.GetProperty("subject").GetString());
        var text = mail.GetProperty("text").GetString()!;
        var html = mail.GetProperty("html").GetString()!;
        var link = $"{WorkerFactory.WebBaseUrl}/verify-email?userId={userId}&token={Uri.EscapeDataString(token)}";
        Assert.Contains(link, text, StringComparison.Ordinal);
        Assert.Contains("Your anti-phishing phrase: blue <harbour>", text, StringComparison.Ordinal);
        // In HTML every value is encoded: the phrase cannot inject markup.
        Assert.Contains("blue &lt;harbour&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<harbour>", html, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(link), html, StringComparison.Ordinal);
        DateTime? processedAt = null;
        for (var i = 0; i < 50 && processedAt is null; i++)
        {
            processedAt = await ScalarAsync<DateTime?>("SELECT processed_at FROM outbox_messages WHERE id = @id", id);
            await Task.Delay(processedAt is null ? 100 : 0, Ct);
        }
        Assert.NotNull(processedAt);
        // The one-time token left in the email; it does not stay readable in the database.
        var kept = await ScalarAsync<string>("SELECT payload::text FROM outbox_messages WHERE id = @id", id);
        Assert.DoesNotContain(token, kept!, StringComparison.Ordinal);
        Assert.Contains(to, kept!, StringComparison.Ordinal);

        // A second run of the job (a Hangfire retry after a crash) sends nothing twice.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SendEmailJob>().SendAsync(id, Ct);
        }
        Assert.Single(await MailsToAsync(to));
    }

    [Fact]
    public async Task Left_alone_the_worker_delivers_an_outbox_email_through_its_recurring_hangfire_job()
    {
        await using var factory = new WorkerFactory(infrastructure);
        using var client = factory.CreateClient();
        var to = $"hangfire-{Guid.NewGuid():N}@example.test";
        await InsertAsync("email.new_sign_in", new { to, userId = Guid.NewGuid().ToString(), antiPhishingPhrase = (string?)null, data = new Dictionary<string, string> { ["device"] = "curl/8", ["ipAddress"] = "127.0.0.1", ["at"] = "now" } });

        var mail = await WaitForMailAsync(to, TimeSpan.FromSeconds(60));
        Assert.Equal("New sign-in to your account", mail.GetProperty("subject").GetString());
        using var connection = factory.Services.GetRequiredService<global::Hangfire.JobStorage>().GetConnection();
        var recurring = Assert.Single(global::Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == OutboxEmailDispatcher.RecurringJobId);
        Assert.Equal("*/5 * * * * *", recurring.Cron);
        Assert.Single(await MailsToAsync(to));
    }

    [Fact]
    public async Task A_failed_send_is_recorded_and_tried_again_by_the_dispatcher_after_a_back_off()
    {
        var id = await InsertAsync("email.password_reset", new { to = $"reset-{Guid.NewGuid():N}@example.test", userId = Guid.NewGuid().ToString(), antiPhishingPhrase = (string?)null, data = new Dictionary<string, string> { ["token"] = "t" } }, leased: true);
        await using (var broken = new WorkerFactory(infrastructure, smtp: "Endpoint=smtp://127.0.0.1:1"))
        await using (var scope = broken.Services.CreateAsyncScope())
        {
            await Assert.ThrowsAnyAsync<Exception>(() => scope.ServiceProvider.GetRequiredService<SendEmailJob>().SendAsync(id, Ct));
        }
        Assert.Equal(1, await ScalarAsync<int>("SELECT attempts FROM outbox_messages WHERE id = @id", id));
        Assert.False(string.IsNullOrEmpty(await ScalarAsync<string>("SELECT last_error FROM outbox_messages WHERE id = @id", id)));
        Assert.Null(await ScalarAsync<DateTime?>("SELECT processed_at FROM outbox_messages WHERE id = @id", id));
        // Backed off by 30 s: not due now, so no dispatcher (this test's or another's) takes it yet.
        Assert.True(await ScalarAsync<bool>("SELECT next_attempt_at BETWEEN now() + interval '20 seconds' AND now() + interval '40 seconds' FROM outbox_messages WHERE id = @id", id));
        // Retries are the outbox's, not Hangfire's: a Hangfire retry would run beside the dispatcher's.
        var retry = typeof(SendEmailJob).GetMethod(nameof(SendEmailJob.SendAsync))!.GetCustomAttributes(typeof(global::Hangfire.AutomaticRetryAttribute), false);
        Assert.Equal(0, ((global::Hangfire.AutomaticRetryAttribute)Assert.Single(retry)).Attempts);

        // Once due (a clock a minute ahead), the dispatcher takes it again and it is delivered.
        await using var factory = new WorkerFactory(infrastructure);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Coinage.Domain.Data.CoinageDbContext>();
            var jobs = scope.ServiceProvider.GetRequiredService<global::Hangfire.IBackgroundJobClient>();
            await new OutboxEmailDispatcher(db, jobs, new ShiftedClock(TimeSpan.FromMinutes(1))).DispatchAsync(Ct);
        }
        await WaitForProcessedAsync(id);
    }

    [Fact]
    public async Task An_email_leased_by_a_delivery_that_died_is_delivered_once_the_lease_runs_out()
    {
        await using var factory = new WorkerFactory(infrastructure);
        var to = $"lost-{Guid.NewGuid():N}@example.test";
        var id = await InsertAsync("email.password_changed", new { to, userId = Guid.NewGuid().ToString(), antiPhishingPhrase = (string?)null, data = new Dictionary<string, string>() });
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // The worker dies between leasing the row and enqueueing its job.
            var db = scope.ServiceProvider.GetRequiredService<Coinage.Domain.Data.CoinageDbContext>();
            await Assert.ThrowsAsync<InvalidOperationException>(() => new OutboxEmailDispatcher(db, new CrashingJobClient(), TimeProvider.System).DispatchAsync(Ct));
        }
        Assert.True(await ScalarAsync<bool>("SELECT next_attempt_at > now() + interval '9 minutes' AND processed_at IS NULL FROM outbox_messages WHERE id = @id", id));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Coinage.Domain.Data.CoinageDbContext>();
            var jobs = scope.ServiceProvider.GetRequiredService<global::Hangfire.IBackgroundJobClient>();
            await new OutboxEmailDispatcher(db, jobs, new ShiftedClock(TimeSpan.FromMinutes(11))).DispatchAsync(Ct);
        }

        await WaitForProcessedAsync(id);
        Assert.Single(await MailsToAsync(to));
    }

    [Fact]
    public async Task The_email_is_multipart_alternative_whose_html_part_has_the_phrase_on_top_a_button_and_every_user_value_encoded()
    {
        await using var factory = new WorkerFactory(infrastructure);
        var to = $"html-{Guid.NewGuid():N}@example.test";
        const string phrase = "<script>alert('phrase')</script> & co";
        const string name = "<script>alert('name')</script><img src=x onerror=alert(1)>";
        var id = await InsertAsync("email.passkey_changed", new { to, userId = Guid.NewGuid().ToString(), antiPhishingPhrase = phrase, data = new Dictionary<string, string> { ["change"] = "added", ["name"] = name } }, leased: true);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SendEmailJob>().SendAsync(id, Ct);
        }

        var mail = await WaitForMailAsync(to);
        var mailId = mail.GetProperty("id").GetString()!;
        using var http = new HttpClient();
        // The message as sent: one text/plain and one text/html alternative of the same content.
        var source = await http.GetStringAsync(new Uri(infrastructure.MailDevApi, $"/email/{mailId}/source"), Ct);
        Assert.Matches("(?i)content-type: multipart/alternative", source);
        Assert.Matches("(?i)content-type: text/plain", source);
        Assert.Matches("(?i)content-type: text/html", source);
        // The plain part is kept, with the values as typed (text cannot run anything) and the link.
        var text = mail.GetProperty("text").GetString()!;
        Assert.Contains($"Your anti-phishing phrase: {phrase}", text, StringComparison.Ordinal);
        Assert.Contains(name, text, StringComparison.Ordinal);
        Assert.Contains($"{WorkerFactory.WebBaseUrl}/account/security", text, StringComparison.Ordinal);

        var html = await http.GetStringAsync(new Uri(infrastructure.MailDevApi, $"/email/{mailId}/html"), Ct);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        // maildev serializes the part again (quotes may come back unencoded); angle brackets and ampersands cannot.
        Assert.Matches("&lt;script&gt;alert\\((&#39;|')phrase(&#39;|')\\)&lt;/script&gt; &amp; co", html);
        Assert.Matches("&lt;script&gt;alert\\((&#39;|')name(&#39;|')\\)&lt;/script&gt;&lt;img src=x onerror=alert\\(1\\)&gt;", html);
        // The phrase comes before anything else the email says.
        var phraseAt = html.IndexOf("Your anti-phishing phrase", StringComparison.Ordinal);
        Assert.InRange(phraseAt, 0, html.IndexOf("<h1", StringComparison.Ordinal));
        // The link is a button (an anchor drawn by its padding, readable without images), and repeated as text.
        Assert.Matches($"<a href=\"{Regex.Escape(WorkerFactory.WebBaseUrl)}/account/security\" style=\"display:inline-block;padding:[^\"]*\">Review my passkeys</a>", html);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>A passkey was added to your account</title>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("email.account_exists", "Someone tried to register")]
    [InlineData("email.password_reset", "Reset your password")]
    [InlineData("email.password_changed", "Your password was changed")]
    [InlineData("email.two_factor_changed", "Two-factor authentication")]
    [InlineData("email.new_sign_in", "New sign-in")]
    [InlineData("email.passkey_changed", "A passkey was added")]
    [InlineData("email.withdrawal_address_added", "A withdrawal address was added")]
    [InlineData("email.api_key_created", "A new API key was created")]
    [InlineData("email.api_key_revoked", "An API key was revoked")]
    public void Every_email_type_has_a_plain_and_an_html_body(string type, string subject)
    {
        var payload = new EmailPayload("a@b.test", Guid.NewGuid().ToString(), "phrase", new() { ["token"] = "t", ["device"] = "Firefox", ["enabled"] = "true" });
        var email = EmailTemplates.Render(type, payload, new Uri(WorkerFactory.WebBaseUrl));
        Assert.StartsWith(subject, email.Subject, StringComparison.Ordinal);
        Assert.Contains(WorkerFactory.WebBaseUrl, email.Text, StringComparison.Ordinal);
        Assert.Contains("Your anti-phishing phrase: <strong>phrase</strong>", email.Html, StringComparison.Ordinal);
        Assert.StartsWith("<!doctype html>", email.Html, StringComparison.Ordinal);
        // Every email's link is its button.
        Assert.Matches($"<a href=\"{Regex.Escape(WorkerFactory.WebBaseUrl)}[^\"]*\" style=\"display:inline-block;", email.Html);
    }

    /// <param name="leased">Inserted as leased for an hour, so no test's dispatcher takes it.</param>
    private async Task<Guid> InsertAsync(string type, object payload, bool leased = false)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var insert = new NpgsqlCommand("INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at) VALUES (@id, @type, @payload::jsonb, now(), 0, now() + @lease)", connection);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("type", type);
        insert.Parameters.AddWithValue("lease", leased ? TimeSpan.FromHours(1) : TimeSpan.Zero);
        insert.Parameters.AddWithValue("payload", JsonSerializer.Serialize(payload, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        await insert.ExecuteNonQueryAsync(Ct);
        return id;
    }

    private async Task WaitForProcessedAsync(Guid id)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await ScalarAsync<DateTime?>("SELECT processed_at FROM outbox_messages WHERE id = @id", id) is not null)
            {
                return;
            }
            await Task.Delay(100, Ct);
        }
        Assert.Fail($"Outbox message {id} was not delivered.");
    }

    /// <summary>The system clock, shifted: to see what a dispatcher does once a back-off or lease has run out.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    /// <summary>A job client whose process dies on the first enqueue.</summary>
    private sealed class CrashingJobClient : global::Hangfire.IBackgroundJobClient
    {
        public string Create(global::Hangfire.Common.Job job, global::Hangfire.States.IState state) =>
            throw new InvalidOperationException("the worker died");

        public bool ChangeState(string jobId, global::Hangfire.States.IState state, string expectedState) => false;
    }

    private Task<T?> ScalarAsync<T>(string sql, Guid id) =>
        InfrastructureFixture.ScalarAsync<T>(infrastructure.PostgresConnectionString, sql, ("id", id));

    private async Task<List<JsonElement>> MailsToAsync(string to)
    {
        using var http = new HttpClient();
        var all = await http.GetFromJsonAsync<JsonElement>(new Uri(infrastructure.MailDevApi, "/email"), Ct);
        return all.EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(a => a.GetProperty("address").GetString() == to))
            .ToList();
    }

    private async Task<JsonElement> WaitForMailAsync(string to, TimeSpan? timeout = null)
    {
        // Generous: maildev on a loaded CI machine can take seconds to list a message; a pass returns at once.
        for (var i = 0; i < (timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds / 100; i++)
        {
            if ((await MailsToAsync(to)).FirstOrDefault() is { ValueKind: JsonValueKind.Object } mail)
            {
                return mail;
            }
            await Task.Delay(100, Ct);
        }
        throw new TimeoutException($"No email to {to} reached maildev.");
    }
}
