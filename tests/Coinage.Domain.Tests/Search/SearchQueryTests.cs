using Coinage.Domain.Audit;
using Coinage.Domain.Search;

namespace Coinage.Domain.Tests.Search;

/// <summary>The documents built from rows, and the words search matches (the query bodies: ElasticsearchSearchTests).</summary>
public sealed class SearchQueryTests
{
    [Fact]
    public void Audit_documents_of_erased_users_carry_the_pseudonym_and_neither_ip_nor_details()
    {
        var erased = Guid.NewGuid();
        var admin = Guid.NewGuid();
        var entry = new AuditEntry
        {
            Sequence = 9, OccurredAt = DateTimeOffset.UnixEpoch, Action = "admin.user_locked", ActorUserId = admin, SubjectUserId = erased,
            IpAddress = "10.1.2.3", Data = """{"email":"erased@example.test"}""", Hash = "h",
        };
        var kept = SearchDocumentFactory.Audit(entry, new Dictionary<Guid, string>());
        Assert.Equal((admin.ToString("D"), erased.ToString("D"), "10.1.2.3"), (kept.ActorUserId, kept.SubjectUserId, kept.IpAddress));
        var pseudonymised = SearchDocumentFactory.Audit(entry, new Dictionary<Guid, string> { [erased] = "erased-7f3a" });
        Assert.Equal(new AuditDocument(9, DateTimeOffset.UnixEpoch, "admin.user_locked", admin.ToString("D"), "erased-7f3a", null, "{}", "h"), pseudonymised);
    }

    [Fact]
    public void Search_text_splits_like_the_index_analyzer()
    {
        Assert.Equal(["auth", "sign", "in", "failed", "alice@coinage", "local"], SearchText.Words("AUTH.sign_in  failed alice@coinage.local"));
        Assert.Empty(SearchText.Words(" ._- "));
    }
}
