-- DropIndex
DROP INDEX "App_name_key";

-- DropIndex
DROP INDEX "App_ownerId_idx";

-- AlterTable
ALTER TABLE "App" ADD COLUMN     "currentVersion" INTEGER,
ADD COLUMN     "deleting" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "shortPath" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL;

-- CreateTable
CREATE TABLE "AppVersion" (
    "id" SERIAL NOT NULL,
    "appId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archiveBytes" INTEGER NOT NULL,
    "format" TEXT NOT NULL,
    "entry" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'stored',
    "error" TEXT,

    CONSTRAINT "AppVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppJob" (
    "id" SERIAL NOT NULL,
    "appId" INTEGER NOT NULL,
    "jobId" TEXT NOT NULL,

    CONSTRAINT "AppJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AppVersion_appId_version_key" ON "AppVersion"("appId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "AppJob_appId_jobId_key" ON "AppJob"("appId", "jobId");

-- CreateIndex
CREATE UNIQUE INDEX "App_shortPath_key" ON "App"("shortPath");

-- CreateIndex
CREATE UNIQUE INDEX "App_ownerId_name_key" ON "App"("ownerId", "name");

-- AddForeignKey
ALTER TABLE "AppVersion" ADD CONSTRAINT "AppVersion_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppJob" ADD CONSTRAINT "AppJob_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
