import { bytesToHex } from 'viem'
import { mnemonicToAccount, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { DevnetError } from '../../errors.ts'
import { anvilMnemonic } from '../constants.ts'
import { searcherAccountIndex } from './constants.ts'

/** The searcher's signer: anvil's public test key at `searcherAccountIndex`, which no devnet role uses. */
export function searcherAccount(): PrivateKeyAccount {
  const key = mnemonicToAccount(anvilMnemonic, { addressIndex: searcherAccountIndex }).getHdKey().privateKey
  if (!key) throw new DevnetError(`could not derive devnet account ${searcherAccountIndex}`)
  return privateKeyToAccount(bytesToHex(key))
}
