using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FoodCommunity.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdempotencyKeysAndImageTombstones : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleted_at",
                table: "image_deletions",
                type: "datetime(6)",
                precision: 6,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleting_at",
                table: "image_deletions",
                type: "datetime(6)",
                precision: 6,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "post_idempotency_keys",
                columns: table => new
                {
                    user_id = table.Column<Guid>(type: "binary(16)", nullable: false),
                    key_hash = table.Column<byte[]>(type: "binary(32)", fixedLength: true, maxLength: 32, nullable: false),
                    post_id = table.Column<Guid>(type: "binary(16)", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "datetime(6)", precision: 6, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_post_idempotency_keys", x => new { x.user_id, x.key_hash });
                })
                .Annotation("MySql:CharSet", "utf8mb4")
                .Annotation("Relational:Collation", "utf8mb4_unicode_ci");

            migrationBuilder.CreateIndex(
                name: "ix_image_deletions_image_key",
                table: "image_deletions",
                column: "image_key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "post_idempotency_keys");

            migrationBuilder.DropIndex(
                name: "ix_image_deletions_image_key",
                table: "image_deletions");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "image_deletions");

            migrationBuilder.DropColumn(
                name: "deleting_at",
                table: "image_deletions");
        }
    }
}
