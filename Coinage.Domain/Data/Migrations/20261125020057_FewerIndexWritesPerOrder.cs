using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    /// <summary>
    /// Fewer index writes per order: the postings lose the indexes EF Core would give their entry and account
    /// (nothing reads postings by either), and an order's status leaves the rebuild index's filter, which now
    /// names book_priority (set while the order rests, cleared when it leaves the book), so that a status
    /// change alone can be a HOT update; the fill factor leaves room on the page for it.
    /// </summary>
    public partial class FewerIndexWritesPerOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_market_id_book_priority",
                table: "orders");

            migrationBuilder.DropIndex(
                name: "ix_ledger_postings_account_id",
                table: "ledger_postings");

            migrationBuilder.DropIndex(
                name: "ix_ledger_postings_journal_entry_id",
                table: "ledger_postings");

            migrationBuilder.AlterTable(
                name: "orders")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);

            // Orders that left the book before this migration keep no priority.
            migrationBuilder.Sql("UPDATE orders SET book_priority = NULL WHERE book_priority IS NOT NULL AND status NOT IN (1, 2)");

            migrationBuilder.CreateIndex(
                name: "ix_orders_market_id_book_priority",
                table: "orders",
                columns: new[] { "market_id", "book_priority" },
                filter: "book_priority IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_market_id_book_priority",
                table: "orders");

            migrationBuilder.AlterTable(
                name: "orders")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.CreateIndex(
                name: "ix_orders_market_id_book_priority",
                table: "orders",
                columns: new[] { "market_id", "book_priority" },
                filter: "status IN (1, 2)");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_postings_account_id",
                table: "ledger_postings",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_postings_journal_entry_id",
                table: "ledger_postings",
                column: "journal_entry_id");
        }
    }
}
