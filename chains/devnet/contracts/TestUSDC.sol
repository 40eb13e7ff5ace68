// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A 6-decimal ERC-20 standing in for USDC on the devnet. The owner mints; minters the
/// owner names (a bridge's burn/mint adapter, as Circle names CCTP's) mint, and burn what a holder
/// allowed them: LayerZero's IMintableBurnable shape.
contract TestUSDC {
    string public constant name = "USD Coin";
    string public constant symbol = "USDC";
    uint8 public constant decimals = 6;

    address public immutable owner;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isMinter;

    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Transfer(address indexed from, address indexed to, uint256 value);
    event MinterSet(address indexed minter, bool allowed);

    constructor() {
        owner = msg.sender;
    }

    function setMinter(address minter, bool allowed) external {
        require(msg.sender == owner, "USDC: not owner");
        isMinter[minter] = allowed;
        emit MinterSet(minter, allowed);
    }

    function mint(address to, uint256 value) external returns (bool) {
        require(msg.sender == owner || isMinter[msg.sender], "USDC: not minter");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
        return true;
    }

    /// @dev A minter burns only up to the holder's allowance to it: a minter cannot take what it was not given.
    function burn(address from, uint256 value) external returns (bool) {
        require(isMinter[msg.sender], "USDC: not minter");
        _spendAllowance(from, msg.sender, value);
        require(balanceOf[from] >= value, "USDC: balance");
        balanceOf[from] -= value;
        totalSupply -= value;
        emit Transfer(from, address(0), value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _move(from, to, value);
        return true;
    }

    function _spendAllowance(address from, address spender, uint256 value) private {
        uint256 allowed = allowance[from][spender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "USDC: allowance");
            allowance[from][spender] = allowed - value;
        }
    }

    function _move(address from, address to, uint256 value) private {
        require(balanceOf[from] >= value, "USDC: balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
