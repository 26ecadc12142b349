using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <summary>
    /// Drops the two foreign-key constraints of <c>ledger_postings</c> in the database only; the EF model keeps
    /// the relationships (the change tracker sets a posting's entry id through them), so the model snapshot still
    /// lists them and no later migration puts them back. Each constraint cost a referential check per posting
    /// (a query and a KEY SHARE row lock on the balance and on the journal entry), 3–4 postings per order: about
    /// a fifth of the platform's order throughput (docs/performance.md). The rows are written by the ledger code
    /// in the same transaction as their entry and balance rows, those rows are never deleted, and reconciliation
    /// reports any posting whose entry or account is missing or disagrees with it (<c>ledger/orphan_posting</c>).
    /// </summary>
    public partial class LedgerPostingsWithoutForeignKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(name: "fk_ledger_postings_balances_account_id", table: "ledger_postings");
            migrationBuilder.DropForeignKey(name: "fk_ledger_postings_journal_entries_journal_entry_id", table: "ledger_postings");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddForeignKey(
                name: "fk_ledger_postings_balances_account_id",
                table: "ledger_postings",
                column: "account_id",
                principalTable: "balances",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
            migrationBuilder.AddForeignKey(
                name: "fk_ledger_postings_journal_entries_journal_entry_id",
                table: "ledger_postings",
                column: "journal_entry_id",
                principalTable: "journal_entries",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
