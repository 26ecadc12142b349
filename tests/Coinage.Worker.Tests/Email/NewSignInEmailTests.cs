using Coinage.Worker.Email;

namespace Coinage.Worker.Tests.Email;

/// <summary>Issue 21, item 9a: the email of a sign-in from a device not seen before.</summary>
public sealed class NewSignInEmailTests
{
    [Fact]
    public void It_names_the_device_address_and_time_under_the_phrase_and_leads_to_the_known_devices()
    {
        var payload = new EmailPayload("trader@example.test", Guid.NewGuid().ToString(), "blue harbour", new()
        {
            ["device"] = "Firefox on <Linux>",
            ["ipAddress"] = "203.0.113.7",
            ["at"] = "2026-12-06T05:00:00.0000000+00:00",
        });

        var email = EmailTemplates.Render("email.new_sign_in", payload, new Uri(WorkerFactory.WebBaseUrl));

        Assert.Equal("New sign-in to your account", email.Subject);
        Assert.Contains("a device we have not seen before: Firefox on <Linux>, from 203.0.113.7, at 2026-12-06T05:00:00", email.Text, StringComparison.Ordinal);
        Assert.Contains("forget the device", email.Text, StringComparison.Ordinal);
        Assert.Contains($"{WorkerFactory.WebBaseUrl}/account/sessions", email.Text, StringComparison.Ordinal);
        // The phrase heads both bodies; the device label is the sender's text and is encoded in HTML.
        Assert.Contains("blue harbour", email.Text, StringComparison.Ordinal);
        Assert.Contains("blue harbour", email.Html, StringComparison.Ordinal);
        Assert.Contains("Firefox on &lt;Linux&gt;", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<Linux>", email.Html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{WorkerFactory.WebBaseUrl}/account/sessions\"", email.Html, StringComparison.Ordinal);
    }
}
