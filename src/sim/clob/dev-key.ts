/**
 * A well-known development key (hardhat account 0) and its address: the stand-in CLOB registers
 * and funds it, the soak and the tests sign with it. Never funded anywhere that matters.
 */
export const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const DEV_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
