using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class Privacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "source",
                table: "consent_records",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                // Every consent recorded before this migration was given at registration.
                defaultValue: "registration");

            migrationBuilder.AddColumn<string>(
                name: "ip_digest",
                table: "audit_entries",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ip_salt",
                table: "audit_entries",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "erasure_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    effective_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refused_reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    pseudonym = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_erasure_requests", x => x.id);
                    table.ForeignKey(
                        name: "fk_erasure_requests_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "privacy_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    downloaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    archive = table.Column<byte[]>(type: "bytea", nullable: true),
                    archive_bytes = table.Column<long>(type: "bigint", nullable: true),
                    nonce_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_privacy_exports", x => x.id);
                    table.ForeignKey(
                        name: "fk_privacy_exports_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "retention_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    ran_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    category = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    cutoff = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    purged = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_retention_runs", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_actor_user_id_sequence",
                table: "audit_entries",
                columns: new[] { "actor_user_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_erasure_requests_effective_at",
                table: "erasure_requests",
                column: "effective_at",
                filter: "status = 0");

            migrationBuilder.CreateIndex(
                name: "ix_erasure_requests_user_id",
                table: "erasure_requests",
                column: "user_id",
                unique: true,
                filter: "status = 0");

            migrationBuilder.CreateIndex(
                name: "ix_privacy_exports_status",
                table: "privacy_exports",
                column: "status",
                filter: "status IN (0, 1)");

            migrationBuilder.CreateIndex(
                name: "ix_privacy_exports_user_id_requested_at",
                table: "privacy_exports",
                columns: new[] { "user_id", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_retention_runs_ran_at",
                table: "retention_runs",
                column: "ran_at");

            // Still append-only, with one exception: erasure may clear a row's address and salt (the
            // hash covers their digest, which stays). Any other change, and every DELETE/TRUNCATE, fails.
            migrationBuilder.Sql("""
                DROP TRIGGER audit_entries_append_only ON audit_entries;
                CREATE TRIGGER audit_entries_append_only BEFORE DELETE OR TRUNCATE ON audit_entries
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
                CREATE FUNCTION audit_entries_erase_ip_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.ip_digest IS NOT NULL AND NEW.ip_address IS NULL AND NEW.ip_salt IS NULL
                       AND (NEW.sequence, NEW.occurred_at, NEW.action, NEW.actor_user_id, NEW.subject_user_id, NEW.data, NEW.previous_hash, NEW.hash, NEW.ip_digest)
                           IS NOT DISTINCT FROM (OLD.sequence, OLD.occurred_at, OLD.action, OLD.actor_user_id, OLD.subject_user_id, OLD.data, OLD.previous_hash, OLD.hash, OLD.ip_digest)
                    THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'audit_entries is append-only (only an address may be erased)';
                END $$;
                CREATE TRIGGER audit_entries_erase_ip_only BEFORE UPDATE ON audit_entries
                    FOR EACH ROW EXECUTE FUNCTION audit_entries_erase_ip_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER audit_entries_erase_ip_only ON audit_entries;
                DROP FUNCTION audit_entries_erase_ip_only();
                DROP TRIGGER audit_entries_append_only ON audit_entries;
                CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
                """);

            migrationBuilder.DropTable(
                name: "erasure_requests");

            migrationBuilder.DropTable(
                name: "privacy_exports");

            migrationBuilder.DropTable(
                name: "retention_runs");

            migrationBuilder.DropIndex(
                name: "ix_audit_entries_actor_user_id_sequence",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "source",
                table: "consent_records");

            migrationBuilder.DropColumn(
                name: "ip_digest",
                table: "audit_entries");

            migrationBuilder.DropColumn(
                name: "ip_salt",
                table: "audit_entries");
        }
    }
}
