import { parseAbi } from 'viem'

/** The parts of Gamma Protocol v2 keel calls, as its contracts declare them (checked against the built artifacts in a test). */

const vault =
  '(address[] shortOtokens, address[] longOtokens, address[] collateralAssets, uint256[] shortAmounts, uint256[] longAmounts, uint256[] collateralAmounts)'

export const controllerAbi = parseAbi([
  'struct ActionArgs { uint8 actionType; address owner; address secondAddress; address asset; uint256 vaultId; uint256 amount; uint256 index; bytes data; }',
  'function operate(ActionArgs[] _actions)',
  'function getAccountVaultCounter(address _accountOwner) view returns (uint256)',
  `function getVaultWithDetails(address _owner, uint256 _vaultId) view returns (${vault}, uint256, uint256)`,
  'function getPayout(address _otoken, uint256 _amount) view returns (uint256)',
  'function getProceed(address _owner, uint256 _vaultId) view returns (uint256)',
  'function isSettlementAllowed(address _otoken) view returns (bool)',
])

export const otokenFactoryAbi = parseAbi([
  'function createOtoken(address _underlyingAsset, address _strikeAsset, address _collateralAsset, uint256 _strikePrice, uint256 _expiry, bool _isPut) returns (address)',
  'function getOtoken(address _underlyingAsset, address _strikeAsset, address _collateralAsset, uint256 _strikePrice, uint256 _expiry, bool _isPut) view returns (address)',
  'function getTargetOtokenAddress(address _underlyingAsset, address _strikeAsset, address _collateralAsset, uint256 _strikePrice, uint256 _expiry, bool _isPut) view returns (address)',
  'event OtokenCreated(address tokenAddress, address creator, address indexed underlying, address indexed strike, address indexed collateral, uint256 strikePrice, uint256 expiry, bool isPut)',
])

export const oracleAbi = parseAbi([
  'function getExpiryPrice(address _asset, uint256 _expiryTimestamp) view returns (uint256, bool)',
  'function isLockingPeriodOver(address _asset, uint256 _expiryTimestamp) view returns (bool)',
  'function isDisputePeriodOver(address _asset, uint256 _expiryTimestamp) view returns (bool)',
])

export const pricerAbi = parseAbi(['function setExpiryPriceInOracle(uint256 _expiryTimestamp, uint80 _roundId)'])

export const marginCalculatorAbi = parseAbi([
  `function getExcessCollateral(${vault} _vault, uint256 _vaultType) view returns (uint256, bool)`,
  'function getNakedMarginRequired(address _underlying, address _strike, address _collateral, uint256 _shortAmount, uint256 _strikePrice, uint256 _underlyingPrice, uint256 _shortExpiryTimestamp, uint256 _collateralDecimals, bool _isPut) view returns (uint256)',
])

export const feedAbi = parseAbi([
  'function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)',
  'function getRoundData(uint80 roundId) view returns (uint80, int256, uint256, uint256, uint80)',
])

export const erc20Abi = parseAbi([
  'function approve(address spender, uint256 amount) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
])

/** Gamma's `Actions.ActionType`, in its declaration order. */
export const ActionType = {
  OpenVault: 0,
  MintShortOption: 1,
  BurnShortOption: 2,
  DepositLongOption: 3,
  WithdrawLongOption: 4,
  DepositCollateral: 5,
  WithdrawCollateral: 6,
  SettleVault: 7,
  Redeem: 8,
} as const
