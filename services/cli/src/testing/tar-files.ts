import { bufferSource, tarFiles } from '../ustar';

/** The files of an archive held in memory, with their bytes: what a test takes apart and puts together again. */
export async function readTar(archive: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return (await tarFiles(bufferSource(archive))).map(({ name, size, position }) => ({
    name,
    data: archive.subarray(position, position + size),
  }));
}
